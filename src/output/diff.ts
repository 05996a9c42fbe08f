import type * as Diff from "diff";
import { lazyModule } from "../lazy.js";
import { redact } from "../secrets.js";
import type { FileDiff } from "../engine/types.js";

// most runs show no diff: the library is loaded when one is shown
const diff = lazyModule<typeof Diff>("diff");

/** A unified diff for a person; secrets masked, sensitive files not shown at all. */
export function renderDiff(d: FileDiff): string {
  if (d.sensitive) return `--- ${d.path}\n+++ ${d.path}\n(content not shown: it holds secrets)\n`;
  if (d.before === null && d.after === null) return "";
  const patch = diff().createTwoFilesPatch(
    d.before === null ? "/dev/null" : d.path,
    d.after === null ? "/dev/null" : d.path,
    d.before ?? "",
    d.after ?? "",
    "",
    "",
    { context: 3 },
  );
  return redact(patch.split("\n").slice(1).join("\n"));
}
