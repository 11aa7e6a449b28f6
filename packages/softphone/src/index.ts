// No side effects: importing this module defines no custom element (import `./define` for that).
export { PhoneController } from './phone/phone-controller';
export { resolvePhoneConfig, DEFAULT_ICE_GATHERING_TIMEOUT_MS } from './phone/config';
export type { PhoneOptions, PhoneConfig } from './phone/config';
export { decodeTokenClaims } from './phone/token';
export type { SoftphoneTokenClaims } from './phone/token';
export { targetToUri } from './phone/target';
export { PhoneConfigError, PhoneStateError, PhoneTargetError } from './phone/errors';
export type {
  CallEndReason,
  CallEndedDetail,
  CallState,
  IncomingCallDetail,
  MessageDetail,
  PhoneEventMap,
  PhoneState,
  RegistrationState,
  RemoteParty,
} from './phone/events';
export { HighriseSoftphone } from './ui/softphone.component';
export { registerLocale } from './ui/messages';
export type { Messages } from './ui/messages';
export type { HighriseSoftphoneEventMap } from './ui/softphone.component';
