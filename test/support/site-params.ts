// Role parameters as the site playbook derives them for the documentation-prefix site, shared by
// the tests that render the roles (unit) and check what they render with the real tools (nft -c).

/** The VPS firewall with the site's anti-spoofing declarations. */
export const SITE_FIREWALL = {
  uplink: "enp1s0",
  tap: "tap_vpn",
  natSource: "10.89.64.0/24",
  homePrefix: "2001:db8:0:8964:8964::/78",
  homeHosts6: ["2001:db8:0:8964:8964::10", "2001:db8:0:8964:8964::11"],
  homeHosts4: ["10.89.64.10"],
  uplinkRouters: ["fe80::ff:fe00:1"],
};

/** The home gateway's cascade role, as the rendering tests build it (no connection is made). */
export const SITE_CASCADE = {
  adminPassword: "gw-admin-pw-1",
  nic: "eth1",
  cascade: { server: "192.0.2.2", hub: "VPN", user: "home", password: "home-pw-1" },
};
