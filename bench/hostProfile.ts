// npx tsx bench/hostProfile.ts <dir>: where the function host's CPU went, per function.
//
// Run a pipeline with TRIBUTARY_CPU_PROFILE_DIR=<dir> (npm start, or the bench:
// `TRIBUTARY_CPU_PROFILE_DIR=/tmp/prof BENCH_RATES=2000 npm run bench`), stop it,
// then point this at <dir>. Each profile is one thread: the host's main thread
// (the API server, the event source mappings' pollers, log forwarding) or one
// sandbox, named by the function whose bundle it ran (the bundle's asset hash,
// looked up in the synthesized template beside it). The profiler itself slows
// everything by roughly a third: read shares, not rates.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

// Piped into head: stop quietly when the reader has had enough.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const dir = process.argv[2];
/** Frames listed per function (`TOP_FRAMES=20` for more). */
const TOP_FRAMES = Number(process.env.TOP_FRAMES ?? '6');
if (!dir || dir === '--help' || !existsSync(dir)) {
  console.log('usage: npx tsx bench/hostProfile.ts <dir>   (a directory of .cpuprofile files written with TRIBUTARY_CPU_PROFILE_DIR=<dir>)');
  process.exit(dir === '--help' ? 0 : 1);
}

/** The function whose bundle a thread ran: its asset directory's hash, found in the template's Lambda code keys. */
function functionOf(profile: CpuProfile): string {
  const url = profile.nodes.map((node) => node.callFrame.url).find((u) => /\/asset\.[0-9a-f]{8,}\//.test(u));
  if (!url) return '(host main thread)';
  const assetDir = path.dirname(new URL(url).pathname);
  const hash = path.basename(assetDir).slice('asset.'.length);
  const assembly = path.dirname(assetDir);
  for (const file of readdirSync(assembly).filter((f) => f.endsWith('.template.json'))) {
    const template = JSON.parse(readFileSync(path.join(assembly, file), 'utf8')) as { Resources: Record<string, { Type: string; Properties?: { Code?: { S3Key?: string } } }> };
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (resource.Type === 'AWS::Lambda::Function' && resource.Properties?.Code?.S3Key?.startsWith(hash)) return logicalId.replace(/Function[0-9A-F]{8}$/, '');
    }
  }
  return `(asset ${hash.slice(0, 8)})`;
}

/** Each bundle's source map, read once: a minified frame is named by the source file it came from. */
const sourceMaps = new Map<string, SourceMap | undefined>();

function sourceMapOf(bundleUrl: string): SourceMap | undefined {
  if (!sourceMaps.has(bundleUrl)) {
    const mapFile = `${fileURLToPath(bundleUrl)}.map`;
    sourceMaps.set(bundleUrl, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : undefined);
  }
  return sourceMaps.get(bundleUrl);
}

/** Where a frame's code is: a bundle's frame as its original file (`core/…`, `node_modules/…`), anything else as its URL. */
function frameOf(callFrame: ProfileNode['callFrame']): string {
  const { functionName, url, lineNumber, columnNumber } = callFrame;
  if (/\/asset\.[0-9a-f]+\//.test(url)) {
    const entry = sourceMapOf(url)?.findEntry(lineNumber, columnNumber) as { originalSource?: string; originalLine?: number; name?: string } | undefined;
    if (entry?.originalSource) {
      const source = entry.originalSource.replace(/^.*?(node_modules\/|(?=(core|adapters|functions|config|local)\/))/, '$1');
      return `${entry.name ?? functionName ?? '(anonymous)'} ${source}:${(entry.originalLine ?? 0) + 1}`;
    }
  }
  return `${functionName || '(anonymous)'} ${url.replace(/.*node_modules\//, '')}:${lineNumber + 1}`;
}

/** Busy milliseconds (idle left out) and the self time of each frame of one profile. */
function selfTimes(profile: CpuProfile): { busyMs: number; byFrame: Map<string, number> } {
  const timeById = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    timeById.set(id, (timeById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1_000);
  });
  const byFrame = new Map<string, number>();
  let busyMs = 0;
  for (const node of profile.nodes) {
    const ms = timeById.get(node.id) ?? 0;
    if (node.callFrame.functionName === '(idle)' || ms === 0) continue;
    busyMs += ms;
    const frame = frameOf(node.callFrame);
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + ms);
  }
  return { busyMs, byFrame };
}

const byFunction = new Map<string, { threads: number; busyMs: number; byFrame: Map<string, number> }>();
for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
  const name = functionOf(profile);
  const { busyMs, byFrame } = selfTimes(profile);
  const entry = byFunction.get(name) ?? { threads: 0, busyMs: 0, byFrame: new Map<string, number>() };
  entry.threads += 1;
  entry.busyMs += busyMs;
  for (const [frame, ms] of byFrame) entry.byFrame.set(frame, (entry.byFrame.get(frame) ?? 0) + ms);
  byFunction.set(name, entry);
}
const totalMs = [...byFunction.values()].reduce((sum, entry) => sum + entry.busyMs, 0);
console.log(`${(totalMs / 1_000).toFixed(1)} s of CPU in ${dir}`);
for (const [name, entry] of [...byFunction].sort((a, b) => b[1].busyMs - a[1].busyMs)) {
  console.log(`${name.padEnd(22)} ${(entry.busyMs / 1_000).toFixed(1).padStart(6)} s  ${((100 * entry.busyMs) / totalMs).toFixed(0).padStart(3)} %  (${entry.threads} thread(s))`);
  for (const [frame, ms] of [...entry.byFrame].sort((a, b) => b[1] - a[1]).slice(0, TOP_FRAMES)) {
    console.log(`    ${((100 * ms) / entry.busyMs).toFixed(1).padStart(5)} %  ${frame.slice(0, 100)}`);
  }
}
