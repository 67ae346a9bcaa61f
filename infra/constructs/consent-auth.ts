import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
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

/** Cognito groups that grant permissions (SPEC.md, behaviour 5; `shared/domain/permissions.ts`). */
export const GROUPS = {
  blocklistEditors: 'whatsapp-blocklist-editors',
  profileAdmins: 'profile-admins',
} as const;

/** OAuth resource servers and their scopes: a token's `scope` claim holds `<identifier>/<scope>`. */
export const RESOURCE_SERVERS = {
  blocklist: {
    identifier: 'whatsapp-blocklist',
    scopes: { edit: 'Block and unblock numbers', check: 'Check numbers before a campaign' },
  },
  profiles: { identifier: 'profiles', scopes: { write: 'Replace the WhatsApp numbers of profiles' } },
} as const;

export interface ConsentAuthProps {
  /**
   * Prefix of the hosted Cognito domain (`<prefix>.auth.<region>.amazoncognito.com`), which serves the
   * token endpoint that machine clients call. Unique per region across all AWS accounts.
   */
  readonly domainPrefix: string;
  /** Where the hosted login may send users back with their authorization code. */
  readonly callbackUrls: string[];
  /**
   * Where the hosted logout may send users back.
   * @default - the callback URLs
   */
  readonly logoutUrls?: string[];
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

  constructor(scope: Construct, id: string, props: ConsentAuthProps) {
    super(scope, id);

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
        callbackUrls: props.callbackUrls,
        logoutUrls: props.logoutUrls ?? props.callbackUrls,
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

  /** The token endpoint of the hosted domain, for client-credentials requests. */
  get tokenEndpoint(): string {
    return `${this.domain.baseUrl()}/oauth2/token`;
  }
}
