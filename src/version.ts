/**
 * chartguard's version. A constant rather than a read of package.json at run time: the
 * single-file bundle (bundle/chartguard.mjs) has no package.json beside it. A test keeps
 * it equal to package.json's.
 */
export const VERSION = "0.1.0";
