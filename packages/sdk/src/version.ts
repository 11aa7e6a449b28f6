/**
 * The API version this SDK was built for, sent as `Highrise-Version` on every request unless the
 * client is created with another `version`. The platform answers in this version's shapes (an older
 * pinned version gets the older shapes) and refuses a version it does not know (400 api_version_unknown).
 */
export const API_VERSION = '2026-12-01';

/** This package's version, sent in `User-Agent` from Node; a unit test keeps it equal to package.json's. */
export const SDK_VERSION = '0.1.0';
