// IPv6/IPv4 address helpers (on ip-address) shared by roles and checks.
export { parsePrefix6, parseInterface4, format6, format4, addr6, addr4, inPrefix6 } from "./prefix.js";
