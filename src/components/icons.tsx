import type { ReactNode, SVGProps } from "react";

/**
 * Inline stroke icons (24-unit grid, drawn in currentColor). SVG rather than Unicode symbols
 * because symbol glyphs are missing from many system fonts and then render as empty boxes.
 * Decorative by default: the text next to an icon carries the meaning.
 */
function Icon({ children, className = "size-4", ...props }: SVGProps<SVGSVGElement> & { children: ReactNode }) {
  return (
    <svg
      aria-hidden
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      className={`shrink-0 ${className}`}
      {...props}
    >
      {children}
    </svg>
  );
}

type IconProps = { className?: string };

export const PipelineIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="2" y="4" width="6" height="6" rx="1.5" />
    <rect x="16" y="14" width="6" height="6" rx="1.5" />
    <path d="M8 7h4a2 2 0 0 1 2 2v6a2 2 0 0 0 2 2" />
  </Icon>
);
export const RunIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M7 4.5v15l12-7.5z" />
  </Icon>
);
export const QuarantineIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z" />
    <path d="M12 9v4M12 17h.01" />
  </Icon>
);
export const DashboardIcon = (p: IconProps) => (
  <Icon {...p}>
    <rect x="3" y="3" width="7" height="9" rx="1" />
    <rect x="14" y="3" width="7" height="5" rx="1" />
    <rect x="14" y="12" width="7" height="9" rx="1" />
    <rect x="3" y="16" width="7" height="5" rx="1" />
  </Icon>
);
export const SettingsIcon = (p: IconProps) => (
  <Icon {...p}>
    <circle cx="12" cy="12" r="3" />
    <path d="M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z" />
  </Icon>
);
export const AlertIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
    <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
  </Icon>
);
export const PlusIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M12 5v14M5 12h14" />
  </Icon>
);
export const UploadIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M17 8l-5-5-5 5M12 3v12" />
  </Icon>
);
export const CloseIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M18 6 6 18M6 6l12 12" />
  </Icon>
);
export const ChevronIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="m9 18 6-6-6-6" />
  </Icon>
);
export const LogoIcon = (p: IconProps) => (
  <Icon {...p}>
    <path d="M2 8c2.5-2 5-2 7.5 0s5 2 7.5 0 3.5-1.5 5-1M2 13c2.5-2 5-2 7.5 0s5 2 7.5 0 3.5-1.5 5-1M2 18c2.5-2 5-2 7.5 0s5 2 7.5 0 3.5-1.5 5-1" />
  </Icon>
);

/** One shape per status, so a status reads without colour vision. */
export function StatusIcon({ status, className = "size-3" }: { status: "queued" | "running" | "succeeded" | "failed" | "skipped" | "canceled"; className?: string }) {
  switch (status) {
    case "queued":
      return (
        <Icon className={className}>
          <circle cx="12" cy="12" r="8" />
        </Icon>
      );
    case "running":
      return (
        <Icon className={`animate-spin [animation-duration:1.5s] ${className}`}>
          <path d="M21 12a9 9 0 1 1-6.2-8.6" />
        </Icon>
      );
    case "succeeded":
      return (
        <Icon className={className} strokeWidth={3}>
          <path d="M20 6 9 17l-5-5" />
        </Icon>
      );
    case "failed":
      return (
        <Icon className={className} strokeWidth={3}>
          <path d="M18 6 6 18M6 6l12 12" />
        </Icon>
      );
    case "skipped":
      return (
        <Icon className={className} strokeWidth={2.5}>
          <path d="m5 5 7 7-7 7M13 5l7 7-7 7" />
        </Icon>
      );
    case "canceled":
      return (
        <Icon className={className}>
          <circle cx="12" cy="12" r="9" />
          <path d="m5.7 5.7 12.6 12.6" />
        </Icon>
      );
  }
}
