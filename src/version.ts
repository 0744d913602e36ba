/** This package's version; its major number keys the global slot. */
export const VERSION = '0.2.0';
/** The major version, as used in the global slot's key. */
export const MAJOR_VERSION = VERSION.split('.')[0];
