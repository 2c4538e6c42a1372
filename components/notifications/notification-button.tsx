"use client";

import { Bell, BellOff, BellRing } from "lucide-react";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { toast } from "@/lib/hooks/use-toast";

type Permission = NotificationPermission | "unsupported";

/** Asks for browser notifications only when clicked, never on load. */
export function NotificationButton() {
  const [permission, setPermission] = useState<Permission>("unsupported");

  useEffect(() => {
    setPermission(typeof Notification === "undefined" ? "unsupported" : Notification.permission);
  }, []);

  if (permission === "unsupported") return null;

  async function request() {
    const result = await Notification.requestPermission();
    setPermission(result);
    if (result === "granted") toast.success("Browser notifications on", "You will be notified when a task finishes.");
    else toast.info("Browser notifications off", "Finished tasks still show here as toasts.");
  }

  if (permission === "granted") {
    return (
      <span className="inline-flex size-8 items-center justify-center text-muted-foreground" title="Browser notifications are on">
        <BellRing className="size-4" aria-label="Browser notifications are on" />
      </span>
    );
  }
  if (permission === "denied") {
    return (
      <span className="inline-flex size-8 items-center justify-center text-muted-foreground" title="Notifications are blocked in the browser's site settings">
        <BellOff className="size-4" aria-label="Browser notifications blocked" />
      </span>
    );
  }
  return (
    <Button variant="ghost" size="sm" onClick={() => void request()} data-testid="enable-notifications" className="text-muted-foreground">
      <Bell aria-hidden />
      <span className="hidden lg:inline">Enable notifications</span>
      <span className="sr-only lg:hidden">Enable notifications</span>
    </Button>
  );
}
