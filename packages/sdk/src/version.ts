/** The API version this SDK was written against; sent as `Highrise-Version` unless overridden. */
export const API_VERSION = '2026-11-01';

/** This package's version, sent in `User-Agent` from Node; a unit test keeps it equal to package.json's. */
export const SDK_VERSION = '0.1.0';
