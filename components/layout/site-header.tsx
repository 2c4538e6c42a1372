"use client";

import { BarChart3, Bot, LayoutGrid, Plus, Settings } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { buttonVariants } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { NotificationButton } from "@/components/notifications/notification-button";
import { LiveIndicator } from "./live-indicator";
import { ThemeToggle } from "./theme-toggle";

const NAV = [
  { href: "/", label: "Home", icon: LayoutGrid, match: (path: string) => path === "/" || path.startsWith("/workspaces") || /^\/tasks\/\d/.test(path) },
  { href: "/usage", label: "Usage", icon: BarChart3, match: (path: string) => path.startsWith("/usage") },
  { href: "/settings", label: "Settings", icon: Settings, match: (path: string) => path.startsWith("/settings") },
];

/** "New task" opens in the workspace being looked at, when there is one. */
function newTaskHref(path: string): string {
  const board = /^\/workspaces\/(\d+)/.exec(path);
  return board ? `/tasks/new?workspaceId=${board[1]}` : "/tasks/new";
}

export function SiteHeader() {
  const pathname = usePathname() ?? "/";
  return (
    <header className="sticky top-0 z-40 border-b bg-background/80 backdrop-blur supports-[backdrop-filter]:bg-background/70">
      <a
        href="#main"
        className="sr-only rounded-md bg-primary px-3 py-2 text-sm text-primary-foreground focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50"
      >
        Skip to content
      </a>
      <div className="mx-auto flex h-14 max-w-7xl items-center gap-4 px-4 sm:px-6">
        <Link href="/" className="flex items-center gap-2 rounded-md text-sm font-semibold tracking-tight outline-none focus-visible:ring-2 focus-visible:ring-ring">
          <span className="flex size-7 items-center justify-center rounded-md bg-primary text-primary-foreground">
            <Bot className="size-4" aria-hidden />
          </span>
          <span className="hidden sm:inline">AI-Slave</span>
        </Link>
        <nav aria-label="Main" className="flex items-center gap-1">
          {NAV.map((item) => {
            const active = item.match(pathname);
            return (
              <Link
                key={item.href}
                href={item.href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "inline-flex h-8 items-center gap-1.5 rounded-md px-2.5 text-sm font-medium outline-none transition-colors focus-visible:ring-2 focus-visible:ring-ring",
                  active ? "bg-accent text-foreground" : "text-muted-foreground hover:text-foreground",
                )}
              >
                <item.icon className="size-4" aria-hidden />
                <span className="max-sm:sr-only">{item.label}</span>
              </Link>
            );
          })}
        </nav>
        <div className="ml-auto flex items-center gap-1.5">
          <LiveIndicator className="mr-2 hidden md:inline-flex" />
          <NotificationButton />
          <ThemeToggle />
          <Link
            href={newTaskHref(pathname)}
            aria-current={pathname === "/tasks/new" ? "page" : undefined}
            className={cn(buttonVariants({ size: "sm" }), "ml-1")}
          >
            <Plus aria-hidden />
            New task
          </Link>
        </div>
      </div>
    </header>
  );
}
