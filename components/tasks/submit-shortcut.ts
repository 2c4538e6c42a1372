import type { KeyboardEvent } from "react";

/** A keydown handler for prompt boxes: Ctrl+Enter or Cmd+Enter submits. */
export function onSubmitShortcut(submit: () => unknown) {
  return (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void submit();
    }
  };
}
