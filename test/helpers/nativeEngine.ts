import { existsSync } from 'node:fs'

/**
 * Whether this machine can build the native oneDNN kernels (g++ is on every supported machine;
 * libdnnl-dev is what decides). Where it can, `npm ci` has built them and the native tests must
 * run: a missing addon then fails them instead of skipping.
 */
export const NATIVE_EXPECTED = existsSync('/usr/include/oneapi/dnnl/dnnl.hpp') && process.env.PULMO_NATIVE !== '0'
