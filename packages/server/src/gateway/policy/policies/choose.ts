/**
 * `choose` (reference apim.md §2.17): the first `when` whose condition holds runs its policies, else `otherwise`.
 * Branches hold any policy the section allows (nested choose included); a constant condition is decided at load.
 */
import { nestedSteps, runSteps, type NestedSteps } from "../../pipeline/executor.js";
import type { PolicyDefinition, PolicyElement } from "../definition.js";
import { booleanSetting, valueOf, type Setting } from "../setting.js";

interface Branch {
  readonly condition: Setting<boolean>;
  readonly steps: NestedSteps;
}

export const choose: PolicyDefinition = {
  name: "choose",
  sections: ["inbound", "backend", "outbound", "on-error"],
  compile(element, environment) {
    const branches: Branch[] = [];
    let otherwise: PolicyElement | undefined;
    for (const child of element.allChildren()) {
      if (child.name === "when") {
        if (otherwise !== undefined) throw child.error("'when' must come before 'otherwise' in 'choose'");
        const condition = booleanSetting(child, "condition");
        const steps = environment.compileChildren(child.allChildren());
        branches.push({ condition, steps: nestedSteps(steps, `when[${branches.length + 1}]/`) });
      } else if (child.name === "otherwise") {
        if (otherwise !== undefined) throw child.error("'choose' may have only one 'otherwise'");
        otherwise = child;
      } else {
        throw child.error(`Element '${child.name}' is not allowed in 'choose': it holds 'when' and 'otherwise'`);
      }
    }
    if (branches.length === 0) throw element.error("Policy 'choose' needs at least one 'when'");
    const fallback = nestedSteps(otherwise ? environment.compileChildren(otherwise.allChildren()) : [], "otherwise/");
    // A branch whose condition is constantly false never runs; one constantly true ends the list.
    const reachable: Branch[] = [];
    for (const branch of branches) {
      if (branch.condition.fixed && !branch.condition.value) continue;
      reachable.push(branch);
      if (branch.condition.fixed) break;
    }
    const last = reachable[reachable.length - 1];
    const final = last?.condition.fixed ? last.steps : fallback;
    const conditional = last?.condition.fixed ? reachable.slice(0, -1) : reachable;
    return {
      policy: "choose",
      id: element.id,
      run(context) {
        for (const branch of conditional) {
          if (valueOf(branch.condition, context)) return runSteps(branch.steps, context);
        }
        return runSteps(final, context);
      },
    };
  },
};
