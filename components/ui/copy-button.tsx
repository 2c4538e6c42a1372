"use client";

import { Check, Copy } from "lucide-react";
import { useState } from "react";
import { Button } from "./button";

export function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // Clipboard refused (insecure origin): the value is still selectable on the page.
    }
  }
  return (
    <Button variant="ghost" size="icon-xs" onClick={() => void copy()} aria-label={copied ? "Copied" : label} title={label} className="text-muted-foreground">
      {copied ? <Check className="text-success" /> : <Copy />}
    </Button>
  );
}
