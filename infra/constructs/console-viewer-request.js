// CloudFront Function (cloudfront-js-2.0) on the console distribution's viewer requests, deployed as it
// stands by infra/constructs/console-hosting.ts. The console is a single-page app under /console/:
// - `/` and `/console` are redirected to `/console/`;
// - a path under /console/ whose last segment has no file extension is one of the app's own routes
//   (`/console/profiles/p-1`, `/console/numbers/%2B420777123456`, `/console/callback`) and is served
//   `/console/index.html`, whose router then reads the address bar;
// - everything else (`/console/assets/…`, `/console/config.json`) goes to the bucket as asked.
// A route segment holding a dot (`/console/profiles/a.b`) would be taken for a file.
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '/console') {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '/console/' } } };
  }
  if (uri.indexOf('/console/') === 0) {
    var lastSegment = uri.slice(uri.lastIndexOf('/') + 1);
    if (lastSegment.indexOf('.') === -1) request.uri = '/console/index.html';
  }
  return request;
}
