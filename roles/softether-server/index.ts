import { apt, defineRole, service, softether, z, zSecret } from "../../src/index.js";

/** SoftEther VPN server on the VPS: a hub (SecureNAT off) with its users, bridged to a tap. */
export const softetherServer = defineRole({
  name: "softether-server",
  params: z.object({
    adminPassword: zSecret,
    hub: z.string().regex(/^[A-Za-z0-9_-]{1,11}$/, "1-11 letters, digits, _ or - (the tap is tap_<hub>)"),
    hubPassword: zSecret.optional(),
    users: z.array(z.object({ name: z.string().min(1), password: zSecret })).min(1),
    /** TCP listeners; the admin port (5555) must stay among them. */
    listeners: z.array(z.number().int().min(1).max(65535)).default([443, 5555]),
  }),
  tasks: (p) => [
    apt({ names: ["softether-vpnserver", "softether-vpncmd"] }),
    service({ name: "softether-vpnserver", state: "running", enabled: true }),
    softether({
      adminPassword: p.adminPassword,
      listeners: p.listeners,
      hubs: [{ name: p.hub, password: p.hubPassword, secureNat: false, users: p.users }],
      bridges: [{ hub: p.hub, device: p.hub.toLowerCase(), tap: true }],
    }),
  ],
});

export default softetherServer;
