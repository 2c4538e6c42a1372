export interface ModelOption {
  /** What is passed to the CLI's model flag. */
  id: string;
  label: string;
  /** A CLI alias that follows the newest model of a family. */
  alias?: boolean;
}

/** Model names travel as one argv element; this keeps them to what model ids look like. */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/[\]-]{0,127}$/;
