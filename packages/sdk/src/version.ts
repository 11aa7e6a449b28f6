/** The API version this SDK was written against; sent as `Highrise-Version` unless overridden. */
export const API_VERSION = '2026-11-01';
