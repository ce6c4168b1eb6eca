/**
 * The screening core's public surface: the vocabulary (model), the compiled world and decide(), the use case that
 * records each decision, and the pure helpers other subsystems share (numbers, addresses, reasons, CDR records,
 * provider status). Pure: nothing here does I/O or reads a clock or the environment.
 */
export {
  CDR_SCHEMA_VERSION, FLOOD_OTHER_SOURCES, toCdrRecord, toFloodSummaryRecord,
  type CallRecord, type CdrContext, type CdrRecord, type DispositionEvent, type DispositionRecord, type FloodSummary, type FloodSummaryRecord,
} from './cdr-record.js';
export { AllocationTableBuilder, type AllocationTable } from './allocation-table.js';
export {
  BUILTIN_EMERGENCY_NUMBERS, CALLING_NUMBER_REASONS, NANP_LIST, findCallingNumber, protectionOf, toEmergencyProtection,
  type CallingNumberFinding, type CallingNumberReason, type CallingNumberScreening, type CallingNumberSource, type EmergencyProtection, type ProtectedCall,
} from './calling-number.js';
export { DnoListBuilder, dnoListFromParts, dnoListParts, type DnoList, type DnoListParts, type DnoMatch, type DnoMeta } from './dno-table.js';
export { NANP_BAD_LENGTH, NANP_RULES, NOT_A_NUMBER, NOT_NANP, nanpRuleBroken, nationalToE164, toNanpNational, type NanpRule } from './nanp.js';
export { parseAddress, parseCidr, toAddressKey, type ParsedAddress, type ParsedCidr } from './ip-address.js';
export {
  FLOOD_REASON, LIST_KINDS, POLICY_REASONS, REASONS,
  type Action, type BlocklistEntry, type Decision, type Evidence, type ImplementationClass, type InviteFacts, type ListKind, type Mode, type Provider,
  type PolicyReason, type Reason, type ReceivedOn, type RejectAnswer, type RmdFiling, type RmdSnapshot, type Transport, type Trunk,
} from './model.js';
export { decodePassport, type PassportClaims } from './passport.js';
export { normaliseContactPhone, toE164, toNumberKey, toPhoneNumber, type PhoneNumber } from './phone-number.js';
export { compileWorld, decide, type Policy, type ProviderState, type ReasonPolicy, type ScreeningWorld, type WorldInputs } from './policy.js';
export type { CdrRawFields, CdrSink, Clock, Logger, ScreenedObservation, ScreeningMetrics } from './ports.js';
export {
  PROVIDER_RMD_STATUSES, countProviderRmdStatuses, graceAt, isEntryActive, providerStanding, toProviderRmdStatus,
  type ProviderRmdStatus, type ProviderStanding, type RmdGrace, type RmdGraceMap,
} from './provider-status.js';
export { isRecertificationOverdue, recertificationDeadline, recertificationState, type RecertificationState } from './recertification.js';
export { MAX_CONTACT_USER_CHARS, UNUSABLE_REQUEST_URI_ANSWERS, toRequestUriUser, unusableRequestUri, type RequestUriUser } from './request-uri.js';
export {
  DEFAULT_PHRASES, DEFAULT_REASON_SETTINGS, REASON_MEANINGS, REJECT_STATUSES, toRejectAnswer,
  type AnswerStyle, type ReasonSetting, type Redress, type RejectStatus,
} from './reject-reasons.js';
export { createInviteScreener, screeningErrorDecision, type InviteScreener, type InviteScreenerDeps } from './screen-invite.js';
export { createWorldHolder, type WorldHolder } from './world-holder.js';
