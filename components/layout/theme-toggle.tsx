"use client";

import { Monitor, Moon, Sun } from "lucide-react";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { readStorage, writeStorage } from "@/lib/hooks/use-local-storage";
import { applyTheme, THEME_STORAGE_KEY, type ThemePreference } from "./theme";

const NEXT: Record<ThemePreference, ThemePreference> = { system: "light", light: "dark", dark: "system" };
const ICONS = { system: Monitor, light: Sun, dark: Moon } as const;

/** Cycles system → light → dark; "system" follows prefers-color-scheme live. */
export function ThemeToggle() {
  const [preference, setPreference] = useState<ThemePreference>("system");

  useEffect(() => {
    const stored = readStorage(THEME_STORAGE_KEY);
    if (stored === "light" || stored === "dark") setPreference(stored);
  }, []);

  useEffect(() => {
    if (preference !== "system") return;
    const query = window.matchMedia("(prefers-color-scheme: dark)");
    const onChange = () => applyTheme("system");
    query.addEventListener("change", onChange);
    return () => query.removeEventListener("change", onChange);
  }, [preference]);

  function cycle() {
    const next = NEXT[preference];
    setPreference(next);
    writeStorage(THEME_STORAGE_KEY, next === "system" ? null : next);
    applyTheme(next);
  }

  const Icon = ICONS[preference];
  return (
    <Button
      variant="ghost"
      size="icon-sm"
      onClick={cycle}
      aria-label={`Theme: ${preference}. Switch to ${NEXT[preference]}`}
      title={`Theme: ${preference}`}
      data-testid="theme-toggle"
    >
      <Icon />
    </Button>
  );
}
