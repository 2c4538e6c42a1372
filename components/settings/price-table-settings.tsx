"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Textarea } from "@/components/ui/textarea";
import { errorMessage } from "@/lib/api-client";
import { clearSetting, saveSetting } from "@/lib/hooks/use-settings";
import { toast } from "@/lib/hooks/use-toast";
import { DEFAULT_PRICE_TABLE, priceTableSchema, type PriceTable } from "@/lib/pricing";
import { SettingsSection } from "./settings-section";

const KEY = "priceTable";
const EXAMPLE = '{ "my-model": { "input": 1, "cachedInput": 0.1, "output": 4 } }';

function savedTable(values: Record<string, unknown>): PriceTable | null {
  const parsed = priceTableSchema.safeParse(values[KEY]);
  return parsed.success ? parsed.data : null;
}

/** The text as a table, or the reason it is not one. */
function parseTable(text: string): { table: PriceTable | null } | { error: string } {
  if (!text.trim()) return { table: null };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { error: "Not valid JSON." };
  }
  const parsed = priceTableSchema.safeParse(json);
  if (parsed.success) return { table: parsed.data };
  const issue = parsed.error.issues[0];
  return { error: `${issue?.path.join(".") || "table"}: ${issue?.message ?? "invalid"}` };
}

function DefaultPrices() {
  return (
    <details className="text-[13px]">
      <summary className="cursor-pointer text-muted-foreground">Built-in list prices (USD per million tokens)</summary>
      <table className="mt-2 w-full text-left tabular-nums" data-testid="default-prices">
        <thead className="text-muted-foreground">
          <tr>
            <th className="py-1 font-normal">Model (or prefix)</th>
            <th className="py-1 text-right font-normal">Input</th>
            <th className="py-1 text-right font-normal">Cached input</th>
            <th className="py-1 text-right font-normal">Output</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(DEFAULT_PRICE_TABLE).map(([model, price]) => (
            <tr key={model} className="border-t">
              <td className="py-1 font-mono">{model}</td>
              <td className="py-1 text-right">{price.input}</td>
              <td className="py-1 text-right">{price.cachedInput}</td>
              <td className="py-1 text-right">{price.output}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** The user's prices over the built-in ones: what the cost of CLIs that report none is estimated from. */
export function PriceTableSettings({ values }: { values: Record<string, unknown> }) {
  const saved = savedTable(values);
  const [text, setText] = useState(saved ? JSON.stringify(saved, null, 2) : "");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = parseTable(text);
    if ("error" in parsed) return setError(parsed.error);
    setBusy(true);
    try {
      if (parsed.table && Object.keys(parsed.table).length > 0) await saveSetting(KEY, parsed.table);
      else await clearSetting(KEY);
      setError(undefined);
      toast.success("Saved the prices");
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <SettingsSection
      id="prices"
      title="Prices"
      description="Codex, Gemini CLI and Qwen Code report tokens but no cost: their runs' cost is estimated from these prices and shown with ≈. Claude Code and opencode report their own."
    >
      <form noValidate onSubmit={(event) => void submit(event)} className="grid gap-3" aria-label="Prices">
        <Field id="price-table" label="Your prices (USD per million tokens)" error={error} hint={`Entries here win over the built-in ones; a name also prices the models it is a prefix of. Example: ${EXAMPLE}`}>
          {(control) => <Textarea {...control} value={text} onChange={(event) => setText(event.target.value)} rows={6} className="font-mono text-[13px]" placeholder={EXAMPLE} />}
        </Field>
        <div>
          <Button type="submit" size="sm" disabled={busy}>
            Save prices
          </Button>
        </div>
        <DefaultPrices />
      </form>
    </SettingsSection>
  );
}
