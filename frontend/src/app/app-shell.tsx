import { Download, Library, LogOut, Rss, Settings, User } from "lucide-react";
import * as React from "react";
import { NavLink, Outlet } from "react-router";
import { Logo, LogoMark } from "@/components/logo";
import { ThemeToggle } from "@/components/theme-toggle";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Tooltip, TooltipContent, TooltipTrigger } from "@/components/ui/tooltip";
import { useLogout } from "@/features/auth";
import { useCurrentUser } from "@/lib/current-user";
import { cn } from "@/lib/utils";
import { useLiveStore } from "@/stores/live";

const NAV = [
  { to: "/", label: "Dashboard", icon: Download, end: true },
  { to: "/library", label: "Library", icon: Library, end: false },
  { to: "/feeds", label: "Feeds", icon: Rss, end: false },
  { to: "/settings", label: "Settings", icon: Settings, end: false },
];

/** The stream's status, with short reconnects (a second or two) not shown as an outage. */
function useShownLiveStatus(graceMs = 4000) {
  const status = useLiveStore((s) => s.status);
  const [shown, setShown] = React.useState(status);
  React.useEffect(() => {
    if (status !== "reconnecting") {
      setShown(status);
      return;
    }
    const t = setTimeout(() => setShown(status), graceMs);
    return () => clearTimeout(t);
  }, [status, graceMs]);
  return shown;
}

function LiveIndicator() {
  const status = useShownLiveStatus();
  const label = status === "open" ? "Live updates on" : status === "closed" ? "Live updates off" : "Reconnecting live updates…";
  return (
    <Tooltip>
      <TooltipTrigger asChild>
        <span role="status" aria-label={label} tabIndex={0} className="flex items-center gap-1.5 rounded-md px-2 py-1 text-xs text-muted-foreground outline-none focus-visible:ring-2 focus-visible:ring-ring" data-live={status}>
          <span className={cn("size-2 rounded-full", status === "open" ? "bg-success" : status === "closed" ? "bg-muted-foreground/50" : "animate-pulse bg-warning")} />
          <span className="hidden sm:inline">{status === "open" ? "Live" : status === "closed" ? "Offline" : "Connecting"}</span>
        </span>
      </TooltipTrigger>
      <TooltipContent>{label}</TooltipContent>
    </Tooltip>
  );
}

function UserMenu() {
  const me = useCurrentUser();
  const logout = useLogout();
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="icon" aria-label="Account menu">
          <span className="grid size-8 place-items-center rounded-full bg-primary/12 text-sm font-semibold text-primary uppercase">
            {me.data?.username?.slice(0, 1) ?? <User className="size-4" />}
          </span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="min-w-48">
        <DropdownMenuLabel>
          Signed in as <span className="font-semibold text-foreground">{me.data?.username ?? "…"}</span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => logout.mutate()}>
          <LogOut /> Sign out
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

export function AppShell() {
  return (
    <div className="flex min-h-dvh">
      <a href="#main" className="sr-only z-50 rounded-md bg-primary px-3 py-2 text-primary-foreground focus:not-sr-only focus:fixed focus:top-2 focus:left-2">
        Skip to content
      </a>
      <aside className="sticky top-0 hidden h-dvh w-60 shrink-0 flex-col border-r bg-sidebar px-3 py-4 md:flex">
        <NavLink to="/" className="mb-6 rounded-md px-2 py-1 outline-none focus-visible:ring-2 focus-visible:ring-ring">
          <Logo />
        </NavLink>
        <nav aria-label="Main" className="grid gap-1">
          {NAV.map(({ to, label, icon: Icon, end }) => (
            <NavLink
              key={to}
              to={to}
              end={end}
              className={({ isActive }) =>
                cn(
                  "flex items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium text-muted-foreground outline-none transition-colors hover:bg-accent hover:text-accent-foreground focus-visible:ring-2 focus-visible:ring-ring",
                  isActive && "bg-primary/10 text-primary hover:bg-primary/12 hover:text-primary",
                )
              }
            >
              <Icon className="size-[18px]" /> {label}
            </NavLink>
          ))}
        </nav>
      </aside>

      <div className="flex min-w-0 flex-1 flex-col">
        <header className="sticky top-0 z-30 flex h-14 items-center gap-2 border-b bg-background/85 px-4 backdrop-blur-md md:h-16 md:px-8">
          <NavLink to="/" className="rounded-md outline-none focus-visible:ring-2 focus-visible:ring-ring md:hidden" aria-label="MediaFetcher dashboard">
            <LogoMark className="size-7" />
          </NavLink>
          <div className="ml-auto flex items-center gap-1">
            <LiveIndicator />
            <ThemeToggle />
            <UserMenu />
          </div>
        </header>
        <main id="main" className="flex-1 px-4 pt-5 pb-28 md:px-8 md:pt-8 md:pb-12">
          <Outlet />
        </main>
      </div>

      <nav aria-label="Main" className="fixed inset-x-0 bottom-0 z-30 grid grid-cols-4 border-t bg-background/95 pb-[env(safe-area-inset-bottom)] backdrop-blur-md md:hidden">
        {NAV.map(({ to, label, icon: Icon, end }) => (
          <NavLink
            key={to}
            to={to}
            end={end}
            className={({ isActive }) =>
              cn(
                "flex flex-col items-center gap-1 py-2.5 text-[11px] font-medium text-muted-foreground outline-none focus-visible:bg-accent",
                isActive && "text-primary",
              )
            }
          >
            <Icon className="size-5" /> {label}
          </NavLink>
        ))}
      </nav>
    </div>
  );
}
