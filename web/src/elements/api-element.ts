import { LitElement, type PropertyDeclarations } from 'lit';
import { ConsentApi, type TokenGetter } from '../api/consent-api.js';

/**
 * What the embeddable elements share: the API's URL and the host's token getter as inputs, and a
 * client of the API made from them. Whenever either input or the element's own subject (`subjectKey`)
 * changes, the element loads again; a new token getter after a sign-in is such a change.
 */
export abstract class ApiElement extends LitElement {
  static override properties: PropertyDeclarations = {
    apiUrl: { type: String, attribute: 'api-url' },
    getToken: { attribute: false },
  };

  declare apiUrl: string;
  declare getToken: TokenGetter;
  protected api = new ConsentApi('', () => undefined);

  /** The property naming what the element shows (a profile id, a phone number). */
  protected abstract readonly subjectKey: PropertyKey;
  /** Reads what the element shows. */
  protected abstract load(): Promise<void>;

  constructor() {
    super();
    this.apiUrl = '';
    this.getToken = () => undefined;
  }

  override willUpdate(changed: Map<PropertyKey, unknown>) {
    if (changed.has('apiUrl') || changed.has('getToken') || changed.has(this.subjectKey)) {
      this.api = new ConsentApi(this.apiUrl, () => this.getToken());
      if ((this as unknown as Record<PropertyKey, unknown>)[this.subjectKey]) void this.load();
    }
  }
}
