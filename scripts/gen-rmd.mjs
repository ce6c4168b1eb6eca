#!/usr/bin/env node
/**
 * Writes a deterministic synthetic RMD CSV export (snake_case columns, UTF-8 BOM, fictional providers) for benchmarks.
 * Usage: node scripts/gen-rmd.mjs --rows 10000 --out /tmp/rmd.csv [--seed N] [--crlf]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const HEADER = [
  'number', 'filing_url', 'frn', 'business_name', 'business_address', 'foreign_voice_provider', 'country', 'other_frns',
  'other_dba_names', 'previous_dba_names', 'robocall_mitigation_contact_name', 'contact_title', 'contact_department',
  'contact_business_address', 'contact_country', 'contact_telephone_number', 'contact_phone_extension', 'implementation',
  'voice_service_provider_choice', 'gateway_provider_choice', 'intermediate_provider_choice', 'last_updated', 'last_recertified',
];

const WORDS_A = ['Bluewater', 'Cedar', 'Granite', 'Maple', 'Silver', 'Prairie', 'Harbor', 'Summit', 'Copper', 'Willow',
  'Juniper', 'Osprey', 'Redwood', 'Lantern', 'Meadow', 'Falcon', 'Quarry', 'Birch', 'Saltmarsh', 'Ironwood'];
const WORDS_B = ['Ridge', 'Valley', 'Bay', 'Point', 'Creek', 'Hollow', 'Crossing', 'Harbor', 'Springs', 'Field', 'Lake', 'Mesa'];
const KINDS = ['Telecom', 'Voice', 'Communications', 'Networks', 'Carrier Services', 'Telephone', 'Connect', 'Digital'];
const SUFFIXES = ['LLC', 'Inc', 'Corp', 'LLC', 'Ltd'];
const FIRST = ['Avery', 'Jordan', 'Morgan', 'Casey', 'Riley', 'Taylor', 'Quinn', 'Harper', 'Rowan', 'Emerson', 'Sawyer', 'Reese'];
const LAST = ['Calloway', 'Pemberton', 'Ashdown', 'Whitlock', 'Ferrand', 'Okafor', 'Lindqvist', 'Marchetti', 'Delacroix', 'Tanaka'];
const STREETS = ['Main St', 'Harbor Way', 'Industrial Pkwy', 'Commerce Dr', 'Oak Ave', 'Ridge Rd', 'Market St'];
const CITIES = [['Fairhaven', 'ST'], ['Lakeport', 'ST'], ['Millbrook', 'ST'], ['Eastwick', 'ST'], ['Stonebridge', 'ST']];
const IMPLEMENTATIONS = [
  'Complete STIR/SHAKEN Implementation',
  'Partial STIR/SHAKEN Implementation - Performing Robocall Mitigation',
  'No STIR/SHAKEN Implementation - Performing Robocall Mitigation',
];
const FOREIGN_COUNTRIES = ['Freedonia', 'Ruritania', 'Genovia', 'Elbonia'];

/** mulberry32: small deterministic PRNG returning [0, 1). */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function csvField(value) {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function makeRow(i, rnd) {
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const chance = (p) => rnd() < p;
  const hex = () => Array.from({ length: 32 }, () => Math.floor(rnd() * 16).toString(16)).join('');
  const digits = (n) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');
  const foreign = chance(0.1);
  const [city, state] = pick(CITIES);
  const street = `${100 + Math.floor(rnd() * 9800)} ${pick(STREETS)}`;
  const address = chance(0.3) ? `${street}\nSuite ${digits(3)}\n${city}, ${state} 00${digits(3)}` : `${street}, ${city}, ${state} 00${digits(3)}`;
  const roles = [chance(0.7), chance(0.3), chance(0.5)];
  if (!roles.some(Boolean)) roles[0] = true;
  const yn = (b) => (b ? 'Yes' : 'No');
  const month = 1 + Math.floor(rnd() * 12);
  const day = 1 + Math.floor(rnd() * 28);
  const pad2 = (n) => String(n).padStart(2, '0');
  return [
    `RMD${String(1_000_000 + i).padStart(7, '0')}`,
    `https://fccprod.servicenowservices.com/rmd?id=rmd_form&table=x_g_fmc_rmd_robocall_mitigation_database&sys_id=${hex()}&view=sp`,
    `0077${String(i).padStart(6, '0')}`,
    `${pick(WORDS_A)} ${pick(WORDS_B)} ${pick(KINDS)} ${pick(SUFFIXES)}`,
    address,
    yn(foreign),
    foreign ? pick(FOREIGN_COUNTRIES) : 'United States',
    chance(0.1) ? `0078${String(i).padStart(6, '0')}` : '',
    chance(0.7) ? 'None' : `${pick(WORDS_A)} ${pick(KINDS)}`,
    chance(0.8) ? 'None' : `${pick(WORDS_A)} ${pick(WORDS_B)} ${pick(SUFFIXES)}`,
    `${pick(FIRST)} ${pick(LAST)}`,
    pick(['CEO', 'Compliance Manager', 'VP, Regulatory Affairs', 'General Counsel']),
    pick(['Regulatory', 'Legal', 'Network Operations', '']),
    address,
    foreign ? pick(FOREIGN_COUNTRIES) : 'United States',
    `+1${pick(['202', '312', '415', '512', '617'])}55501${digits(2)}`,
    chance(0.2) ? digits(3) : '',
    pick(IMPLEMENTATIONS),
    yn(roles[0]),
    yn(roles[1]),
    yn(roles[2]),
    `${2024 + Math.floor(rnd() * 2)}-${pad2(month)}-${pad2(day)}`,
    chance(0.85) ? `2026-02-${pad2(1 + Math.floor(rnd() * 28))}` : '',
  ];
}

function main() {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000' },
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
      crlf: { type: 'boolean', default: false },
    },
  });
  const rows = Number(values.rows);
  const seed = Number(values.seed);
  if (!Number.isInteger(rows) || rows < 0 || rows > 999_999) throw new Error('--rows must be an integer 0..999999');
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  if (values.out === undefined) throw new Error('--out <path> is required');
  const eol = values.crlf ? '\r\n' : '\n';
  const rnd = prng(seed);
  const lines = [HEADER.join(',')];
  for (let i = 1; i <= rows; i++) lines.push(makeRow(i, rnd).map(csvField).join(','));
  writeFileSync(values.out, `\uFEFF${lines.join(eol)}${eol}`, 'utf8');
  process.stdout.write(`wrote ${rows} rows to ${values.out}\n`);
}

try {
  main();
} catch (err) {
  process.stderr.write(`gen-rmd: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
