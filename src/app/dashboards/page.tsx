import type { Metadata } from "next";
import { ControlRoom } from "@/components/dashboards/control-room";
import { DashboardHeader, DashboardSurface } from "@/components/dashboards/surface";

export const metadata: Metadata = { title: "Dashboards" };

export default function DashboardsPage() {
  return (
    <DashboardSurface>
      <DashboardHeader
        title="Control room"
        description="Every pipeline's health, worst first, updated every few seconds. Open a pipeline for its run dashboard; full screen suits a wall screen."
      />
      <ControlRoom />
    </DashboardSurface>
  );
}
