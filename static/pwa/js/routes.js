// Which screen a location hash shows: the router's one reading of it (app.js). A screen that
// draws itself later, after a sync, asks it too: location.hash changes at once when the inspector
// taps, the router runs only at the hashchange event after, and a screen that compared hashes
// alone could start in between and draw itself over the screen the router then showed.
export function routeOf(hash = location.hash) {
  const [name, id, step] = hash.replace(/^#\/?/, '').split('/');
  if (name === 'i' && id) return { screen: 'inspection', id, step };
  if (name === 'rectify' && id) return { screen: 'rectify', id };
  if (['settings', 'lead', 'diagnostics'].includes(name)) return { screen: name };
  return { screen: 'home' };
}
