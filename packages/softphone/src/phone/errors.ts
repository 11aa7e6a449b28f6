/** Thrown synchronously when the phone's options cannot describe a connection. */
export class PhoneConfigError extends Error {
  override name = 'PhoneConfigError';
}

/** Thrown when a dialled target cannot become a SIP URI. */
export class PhoneTargetError extends Error {
  override name = 'PhoneTargetError';
}

/** Thrown when a method does not fit the phone's current state (answering with no incoming call…). */
export class PhoneStateError extends Error {
  override name = 'PhoneStateError';
}
