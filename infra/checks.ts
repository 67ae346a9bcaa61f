import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * Runs cdk-nag's AWS Solutions rules over everything the app synthesizes. A finding fails `cdk synth`
 * (and so `cdk deploy`) unless the construct it is about acknowledges the rule with a reason, next to
 * the code that explains it.
 */
export function applyAwsSolutionsChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
