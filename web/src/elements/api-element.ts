import { LitElement, type PropertyDeclarations } from 'lit';
import { ConsentApi, type TokenGetter } from '../api/consent-api.js';
import { userFromToken, type SignedInUser } from '../auth/token-claims.js';

/**
 * What the API's elements share: the API's URL and the host's token getter as inputs, and a client of
 * the API made from them. Whenever either input or the element's own subject (`subjectKey`) changes, the
 * element loads again; a new token getter after a sign-in is such a change.
 */
export abstract class ApiElement extends LitElement {
  static override properties: PropertyDeclarations = {
    apiUrl: { type: String, attribute: 'api-url' },
    getToken: { attribute: false },
  };

  declare apiUrl: string;
  declare getToken: TokenGetter;
  protected api = new ConsentApi('', () => undefined);

  /**
   * The property naming what the element shows (a profile id, a phone number), which must be set before
   * it loads; `undefined` for a list of the whole service, which loads as soon as it has its inputs.
   */
  protected abstract readonly subjectKey: PropertyKey | undefined;
  /** Reads what the element shows. */
  protected abstract load(): Promise<void>;

  constructor() {
    super();
    this.apiUrl = '';
    this.getToken = () => undefined;
  }

  override willUpdate(changed: Map<PropertyKey, unknown>) {
    const subject = this.subjectKey;
    if (changed.has('apiUrl') || changed.has('getToken') || (subject !== undefined && changed.has(subject))) {
      this.api = new ConsentApi(this.apiUrl, () => this.getToken());
      if (subject === undefined || (this as unknown as Record<PropertyKey, unknown>)[subject]) void this.load();
    }
  }

  /**
   * Whether the signed-in person holds "Edit WhatsApp blocklist", by the token's claims: the page only
   * mirrors them, to offer what the API would allow; the API decides.
   */
  protected async mayEdit(): Promise<boolean> {
    return (await this.signedIn())?.canEdit ?? false;
  }

  /** Likewise, whether they hold "Manage personal data". */
  protected async mayManagePersonalData(): Promise<boolean> {
    return (await this.signedIn())?.canManagePersonalData ?? false;
  }

  private async signedIn(): Promise<SignedInUser | undefined> {
    const token = await this.getToken();
    return token ? userFromToken(token) : undefined;
  }
}
