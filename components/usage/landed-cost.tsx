import { Card } from "@/components/ui/card";
import { formatCost } from "@/lib/format";
import type { LandedCost, LandedGroup } from "@/lib/schemas/usage";

function Rows({ title, groups }: { title: string; groups: LandedGroup[] }) {
  return (
    <table className="w-full text-xs tabular-nums">
      <thead className="text-muted-foreground">
        <tr>
          <th className="text-left font-medium">{title}</th>
          <th className="text-right font-medium">merged</th>
          <th className="text-right font-medium">per merged task</th>
          <th className="text-right font-medium">never merged</th>
        </tr>
      </thead>
      <tbody>
        {groups.map((group) => (
          <tr key={group.key}>
            <td className="truncate font-mono">{group.name ?? group.key}</td>
            <td className="text-right">{group.mergedTasks} · {formatCost(group.mergedCostUsd)}</td>
            <td className="text-right">{group.costPerMergedTask === null ? "–" : formatCost(group.costPerMergedTask)}</td>
            <td className="text-right">{group.neverMergedTasks} · {formatCost(group.neverMergedCostUsd)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What landed for the money: cost per merged task, and the spend on finished tasks that never merged. */
export function LandedCostPanel({ landed }: { landed: LandedCost }) {
  const { totals } = landed;
  return (
    <Card className="grid gap-4 p-5" data-testid="landed-cost">
      <div className="flex flex-wrap items-baseline gap-x-6 gap-y-1 text-sm">
        <h2 className="font-semibold">What landed</h2>
        <span>{totals.mergedTasks} merged task(s) cost {formatCost(totals.mergedCostUsd)}{totals.costPerMergedTask === null ? "" : `, ${formatCost(totals.costPerMergedTask)} each`}</span>
        <span className="text-muted-foreground">never merged: {totals.neverMergedTasks} task(s), {formatCost(totals.neverMergedCostUsd)}</span>
      </div>
      <div className="grid gap-6 lg:grid-cols-2">
        <Rows title="Model" groups={landed.byModel} />
        <Rows title="Workspace" groups={landed.byWorkspace} />
      </div>
    </Card>
  );
}
