/**
 * The console's elements for host pages (the CDP's own profile page): loading this module defines
 * `<whatsapp-consent-profile>` and `<whatsapp-consent-number>`, and nothing else happens. Served as
 * `/console/embed.js`, under a stable name that hosts can link to.
 */
import './elements/profile-panel.js';
import './elements/number-view.js';
