/**
 * The providers and trunks of config/example.yaml as a YAML block, for in-process test apps:
 * 127.0.0.1 allowed, .2 not in the RMD, .3 designated (K4), anything else unknown.
 */
export const SAMPLE_PARTIES = `providers:
  - { id: harborline, name: Harborline Communications LLC, rmdNumber: RMD0990001, frn: "0099000001" }
  - { id: driftwood, name: Driftwood Dialers LLC, frn: "0099000099" }
  - { id: tallgrass, name: Tallgrass Telecom LLC, rmdNumber: RMD0990003, frn: "0099000003" }
trunks:
  - { id: harborline-1, provider: harborline, sources: [127.0.0.1/32] }
  - { id: driftwood-1, provider: driftwood, sources: [127.0.0.2/32] }
  - { id: tallgrass-1, provider: tallgrass, sources: [127.0.0.3/32] }
`;
