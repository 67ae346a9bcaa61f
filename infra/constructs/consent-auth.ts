import { Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  UserPool,
  type UserPoolClient,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { GROUPS } from '../../shared/domain/permissions.js';

/** The Cognito groups that grant permissions, named once, beside the permission rules. */
export { GROUPS };

/** OAuth resource servers and their scopes: a token's `scope` claim holds `<identifier>/<scope>`. */
export const RESOURCE_SERVERS = {
  blocklist: {
    identifier: 'whatsapp-blocklist',
    scopes: { edit: 'Block and unblock numbers', check: 'Check numbers before a campaign' },
  },
  profiles: { identifier: 'profiles', scopes: { write: 'Replace the WhatsApp numbers of profiles' } },
  privacy: { identifier: 'privacy', scopes: { manage: 'Export and erase the personal data held about a number' } },
} as const;

export interface ConsentAuthProps {
  /**
   * Prefix of the hosted Cognito domain (`<prefix>.auth.<region>.amazoncognito.com`), which serves the
   * token endpoint that machine clients call. Unique per region across all AWS accounts.
   */
  readonly domainPrefix: string;
  /**
   * Where the hosted login may send users back with their authorization code. `addRedirectUrls` adds
   * more, e.g. of an app hosted in the same stack.
   */
  readonly callbackUrls: string[];
  /**
   * Where the hosted logout may send users back.
   * @default - the callback URLs
   */
  readonly logoutUrls?: string[];
}

/** Where an app of the people's client receives its authorization code, and where it lands after logout. */
export interface RedirectUrls {
  readonly callbackUrl: string;
  readonly logoutUrl: string;
}

/**
 * Who may call the API: a user pool with the permission groups, resource-server scopes for machine
 * clients, a client for people (authorization code) and one for back-office jobs (client credentials).
 */
export class ConsentAuth extends Construct {
  public readonly userPool: UserPool;
  /** For people, through the hosted login: permissions come from their groups. */
  public readonly userClient: UserPoolClient;
  /** For scripts and sync jobs: permissions come from the scopes it is allowed to request. */
  public readonly machineClient: UserPoolClient;
  public readonly domain: UserPoolDomain;
  // Read when the template is written, so that URLs added after the client was built are in it.
  private readonly callbackUrls: string[];
  private readonly logoutUrls: string[];

  constructor(scope: Construct, id: string, props: ConsentAuthProps) {
    super(scope, id);
    this.callbackUrls = [...props.callbackUrls];
    this.logoutUrls = [...(props.logoutUrls ?? props.callbackUrls)];

    this.userPool = new UserPool(this, 'UserPool', {
      // Operators are invited by an administrator; nobody grants themself access.
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      autoVerify: { email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // An editor's account can make numbers unreachable for every campaign: long passwords and a
      // second factor (an authenticator app; SMS needs an SNS spending setup and is weaker).
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      // The users and their group memberships are who-may-edit-the-blocklist; rebuilding them is manual work.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions::AwsSolutions-COG8',
      reason:
        'Threat protection (the Plus plan) is billed per active user; the operators are few, invited by an ' +
        'administrator, and must use a 12-character password and TOTP. Set featurePlan PLUS where policy asks for it',
    });

    this.userPool.addGroup('BlocklistEditors', {
      groupName: GROUPS.blocklistEditors,
      description: 'Edit WhatsApp blocklist: block and unblock numbers',
    });
    this.userPool.addGroup('ProfileAdmins', {
      groupName: GROUPS.profileAdmins,
      description: 'Replace the WhatsApp numbers of profiles',
    });
    this.userPool.addGroup('PrivacyOfficers', {
      groupName: GROUPS.privacyOfficers,
      description: 'Manage personal data: export and erase what is held about a number',
    });

    const customScopes = Object.entries(RESOURCE_SERVERS).flatMap(([key, definition]) => {
      const scopes = Object.entries(definition.scopes).map(
        ([scopeName, scopeDescription]) => new ResourceServerScope({ scopeName, scopeDescription }),
      );
      const server = this.userPool.addResourceServer(`${key.charAt(0).toUpperCase()}${key.slice(1)}ResourceServer`, {
        identifier: definition.identifier,
        scopes,
      });
      return scopes.map((scope) => OAuthScope.resourceServer(server, scope));
    });

    this.userClient = this.userPool.addClient('UserClient', {
      generateSecret: false,
      preventUserExistenceErrors: true,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        // No custom scopes: Cognito hands a client's allowed scopes to ANY user who asks for them, and
        // the API accepts `whatsapp-blocklist/edit` or `profiles/write` in place of the group. A user's
        // permissions must come from their groups alone.
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: Lazy.list({ produce: () => unique(this.callbackUrls) }),
        logoutUrls: Lazy.list({ produce: () => unique(this.logoutUrls) }),
      },
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
    });

    this.machineClient = this.userPool.addClient('MachineClient', {
      generateSecret: true,
      oAuth: {
        flows: { clientCredentials: true },
        scopes: customScopes,
      },
      accessTokenValidity: Duration.hours(1),
    });

    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });
  }

  /**
   * Lets the hosted login and logout send people back to an app whose address is known only once other
   * resources exist, such as the console's CloudFront domain (the console's distribution needs this
   * construct's domain, so it cannot be built before it).
   */
  addRedirectUrls(urls: RedirectUrls): void {
    this.callbackUrls.push(urls.callbackUrl);
    this.logoutUrls.push(urls.logoutUrl);
  }

  /** The token endpoint of the hosted domain, for client-credentials requests. */
  get tokenEndpoint(): string {
    return `${this.domain.baseUrl()}/oauth2/token`;
  }

  /** The issuer of the pool's tokens, which is also the OIDC authority of the people's client. */
  get issuer(): string {
    return `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
