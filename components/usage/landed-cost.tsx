import { Card } from "@/components/ui/card";
import { formatCost } from "@/lib/format";
import { ABANDONED_AFTER_DAYS, type LandedCost, type LandedGroup, type TaskSpend } from "@/lib/schemas/usage";

const spendText = (spend: TaskSpend) => `${spend.tasks} · ${formatCost(spend.costUsd)}`;

function Rows({ title, groups }: { title: string; groups: LandedGroup[] }) {
  return (
    <div className="overflow-x-auto" role="region" aria-label={`Landed cost by ${title.toLowerCase()}`} tabIndex={0}>
      <table className="w-full min-w-[36rem] text-xs tabular-nums">
        <thead className="text-muted-foreground">
          <tr>
            <th className="text-left font-medium">{title}</th>
            <th className="text-right font-medium">merged</th>
            <th className="text-right font-medium">per merged task</th>
            <th className="text-right font-medium">failed</th>
            <th className="text-right font-medium">deleted</th>
            <th className="text-right font-medium">abandoned</th>
            <th className="text-right font-medium">awaiting merge</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((group) => (
            <tr key={group.key}>
              <td className="truncate font-mono">{group.name ?? group.key}</td>
              <td className="text-right">{group.mergedTasks} · {formatCost(group.mergedCostUsd)}</td>
              <td className="text-right">{group.costPerMergedTask === null ? "–" : formatCost(group.costPerMergedTask)}</td>
              <td className="text-right">{spendText(group.neverMerged.failed)}</td>
              <td className="text-right">{spendText(group.neverMerged.deleted)}</td>
              <td className="text-right">{spendText(group.neverMerged.abandoned)}</td>
              <td className="text-right text-muted-foreground">{spendText(group.awaitingMerge)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What landed for the money: cost per merged task, and the spend on tasks that never merged, by why. */
export function LandedCostPanel({ landed }: { landed: LandedCost }) {
  const { totals } = landed;
  const { failed, deleted, abandoned } = totals.neverMerged;
  return (
    <Card className="grid gap-4 p-5" data-testid="landed-cost">
      <div className="flex flex-wrap items-baseline gap-x-6 gap-y-1 text-sm">
        <h2 className="font-semibold">What landed</h2>
        <span>{totals.mergedTasks} merged task(s) cost {formatCost(totals.mergedCostUsd)}{totals.costPerMergedTask === null ? "" : `, ${formatCost(totals.costPerMergedTask)} each`}</span>
        <span className="text-muted-foreground" data-testid="never-merged">
          never merged: {totals.neverMergedTasks} task(s), {formatCost(totals.neverMergedCostUsd)} (failed {formatCost(failed.costUsd)}, deleted {formatCost(deleted.costUsd)}, abandoned {formatCost(abandoned.costUsd)})
        </span>
      </div>
      <div className="grid gap-6 xl:grid-cols-2">
        <Rows title="Model" groups={landed.byModel} />
        <Rows title="Workspace" groups={landed.byWorkspace} />
      </div>
      <p className="text-xs text-muted-foreground">
        Abandoned: done but not merged {ABANDONED_AFTER_DAYS} days after finishing, or its pull request closed. Deleted tasks keep their cost here. Awaiting merge: done more recently.
      </p>
    </Card>
  );
}
