/**
 * MATLAB's eps (2⁻⁵²). The reference toolbox adds it to denominators; the same constant here keeps
 * scores identical to the published code's, including in its degenerate cases.
 */
export const MATLAB_EPS = 2 ** -52
