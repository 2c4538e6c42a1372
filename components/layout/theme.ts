export type ThemePreference = "light" | "dark" | "system";

export const THEME_STORAGE_KEY = "ai-slave:theme";

/**
 * Runs in <head> before first paint: applies the stored theme, or the system's when none is
 * stored, so a dark-mode user never sees a light flash.
 */
export const themeScript = `(function(){try{var t=localStorage.getItem("${THEME_STORAGE_KEY}");var d=t==="dark"||(t!=="light"&&window.matchMedia("(prefers-color-scheme: dark)").matches);document.documentElement.classList.toggle("dark",d);}catch(e){}})()`;

export function applyTheme(preference: ThemePreference): void {
  const dark = preference === "dark" || (preference === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
}
