/**
 * Pure conversion of a validated config into the core's inputs: trunks, providers and the policy with
 * pre-rendered answers (the data is loaded separately).
 */
import { type CallingNumberSource, type EmergencyProtection, toEmergencyProtection } from '../screening/index.js';
import { type Action, DEFAULT_REASON_SETTINGS, LIST_KINDS, type ListKind, type Policy, type PolicyReason, type Provider, type ReasonPolicy, POLICY_REASONS, type ReasonSetting, toRejectAnswer, type Trunk } from '../screening/index.js';
import type { ConfigFile } from './schema.js';

/** Config trunks → core trunks. */
export function toTrunks(cfg: ConfigFile): Trunk[] {
  return cfg.trunks.map((t) => ({
    id: t.id,
    providerId: t.provider,
    sources: t.sources,
    receivedOn: t.receivedOn,
    tgrp: t.tgrp,
    trunkContext: t.trunkContext,
    headerValue: t.headerValue,
    route: t.route,
  }));
}

/** Config providers → core providers. */
export function toProviders(cfg: ConfigFile): Provider[] {
  return cfg.providers.map((p) => ({ id: p.id, name: p.name, dba: p.dba, rmdNumber: p.rmdNumber, frn: p.frn, rmdRequired: p.rmdRequired }));
}

/** The effective setting of each reason: defaults overlaid with config. */
export function toReasonSettings(cfg: ConfigFile): Record<PolicyReason, ReasonSetting> {
  const out = {} as Record<PolicyReason, ReasonSetting>;
  for (const r of POLICY_REASONS) {
    const d = DEFAULT_REASON_SETTINGS[r];
    const c = cfg.policy.reasons[r];
    out[r] = { action: c?.action ?? d.action, status: c?.style === '603plus' ? 603 : (c?.status ?? d.status), style: c?.style ?? d.style, phrase: c?.phrase ?? d.phrase };
  }
  return out;
}

/** Calling-number settings of a config (the DNO lists and allocation table come from the feeds). */
export function toCallingNumberSettings(cfg: ConfigFile): { readonly source: CallingNumberSource; readonly invalid: boolean } {
  return { source: cfg.callingNumber.number, invalid: cfg.callingNumber.invalid };
}

/** Emergency protection of a config: the built-in numbers plus the configured additions. */
export function toEmergency(cfg: ConfigFile): EmergencyProtection {
  return toEmergencyProtection(cfg.emergency.calledNumbers, cfg.emergency.psapCallingNumbers);
}

/** Config → Policy with every answer rendered once. */
export function toPolicy(cfg: ConfigFile): Policy {
  const settings = toReasonSettings(cfg);
  const reasons = {} as Record<PolicyReason, ReasonPolicy>;
  for (const r of POLICY_REASONS) reasons[r] = { action: settings[r].action, answer: toRejectAnswer(r, settings[r], cfg.policy.redress) };
  const designated = {} as Record<ListKind, Action>;
  for (const k of LIST_KINDS) designated[k] = cfg.policy.designated[k] ?? 'block';
  return { mode: cfg.mode, reasons, designated, defaultRoute: cfg.sip.defaultRoute };
}
