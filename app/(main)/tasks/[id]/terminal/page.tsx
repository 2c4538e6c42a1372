import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { TaskTerminal } from "@/components/terminal/task-terminal";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: `Terminal · task ${(await params).id}` };
}

export default async function TaskTerminalPage({ params }: { params: Promise<{ id: string }> }) {
  const id = Number((await params).id);
  if (!Number.isInteger(id) || id <= 0) notFound();
  return <TaskTerminal taskId={id} />;
}
