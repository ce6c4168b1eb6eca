/**
 * rmdgate as a drachtio-srf application behind drachtio-server: the link, the INVITE handler (reject, redirect,
 * proxy, silent drop), OPTIONS and the dispositions of proxied calls.
 */
export { createDrachtioFront, drachtioSipStatus, type DrachtioConfig, type DrachtioEndpoint, type DrachtioFront, type DrachtioFrontOptions } from './front.js';
export type { DrachtioMetrics } from './ports.js';
