import fs from "node:fs";
import { summarize } from "./profile";
const file = fs.readdirSync("/tmp/prof").map((f) => `/tmp/prof/${f}`)[0]!;
const profile = JSON.parse(fs.readFileSync(file, "utf8"));
const s = summarize(profile);
console.log(`total ${s.totalMs.toFixed(0)} busy ${s.busyMs.toFixed(0)}`);
for (const [part, ms] of s.parts.slice(0, 12)) console.log(`  ${part}: ${ms.toFixed(0)} ms`);
for (const [fn, ms] of s.functions.slice(0, 25)) console.log(`  ${ms.toFixed(0)} ms ${fn}`);
