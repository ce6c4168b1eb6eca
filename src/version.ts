/** The package version, reported in logs, the Server header default and rmdgate_build_info. */
export const VERSION = '0.1.0';
