import type { Metadata } from "next";
import { ControlRoomPage } from "@/components/dashboards/control-room";
import { DashboardSurface } from "@/components/dashboards/surface";

export const metadata: Metadata = { title: "Dashboards" };

export default function DashboardsPage() {
  return (
    <DashboardSurface>
      <ControlRoomPage />
    </DashboardSurface>
  );
}
