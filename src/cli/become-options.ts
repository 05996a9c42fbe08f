import { InputError, type Problem } from "../errors.js";
import { BECOME_USER, type BecomeOverrides } from "../inventory/connection.js";
import { askHidden } from "./prompt.js";

export interface BecomeArgs {
  become?: boolean;
  "become-user"?: string;
  "ask-become-pass"?: boolean;
}

/** The command line's become settings; -K asks once, before any host is touched. */
export async function becomeFrom(v: BecomeArgs): Promise<BecomeOverrides | undefined> {
  if (!v.become && v["become-user"] === undefined && !v["ask-become-pass"]) return undefined;
  const problems: Problem[] = [];
  const user = v["become-user"];
  if (user !== undefined && !BECOME_USER.test(user))
    problems.push({ field: "--become-user", message: `"${user}" is not a user name` });
  const password = v["ask-become-pass"]
    ? await askHidden("BECOME password: ", problems, {
        field: "--ask-become-pass",
        message: "no terminal to ask the become password on",
        hint: "set ansible_become_password (e.g. !env SUDO_PASSWORD) instead",
        label: "become password",
      })
    : undefined;
  if (problems.length) throw new InputError(problems);
  return {
    // --become-user and -K imply become, as in Ansible
    become: true,
    ...(v["become-user"] !== undefined ? { user: v["become-user"] } : {}),
    ...(password ? { password } : {}),
  };
}
