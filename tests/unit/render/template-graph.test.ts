import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TemplateGraph, templateUses } from '../../../src/render/template-graph.js';
import { tempDir } from '../../helpers/site.js';

async function templates(files: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

describe('templateUses', () => {
  it('finds extends, include, import and from-import, however deeply nested', () => {
    const source = `{% extends "base.njk" %}{% block main %}{% if x %}{% for y in z %}
      {% include "partials/card.njk" %}{% endfor %}{% endif %}
      {% import "macros.njk" as m %}{% from "forms.njk" import field %}{% endblock %}`;
    expect(templateUses(source)?.sort()).toEqual(['base.njk', 'forms.njk', 'macros.njk', 'partials/card.njk']);
  });

  it('gives up (undefined) on a template name computed at render time, or a template that does not parse', () => {
    expect(templateUses('{% include route.partial %}')).toBeUndefined();
    expect(templateUses('{% if %}')).toBeUndefined();
  });
});

describe('TemplateGraph', () => {
  const site = {
    'base.njk': '<html>{% include "partials/nav.njk" %}{% block main %}{% endblock %}</html>',
    'partials/nav.njk': '<nav>{% include "partials/nav-item.njk" %}</nav>',
    'partials/nav-item.njk': '<a>item</a>',
    'release.njk': '{% extends "base.njk" %}{% block main %}release{% endblock %}',
    'page.njk': '{% extends "base.njk" %}{% block main %}page{% endblock %}',
    '404.njk': '<p>not found</p>',
  };

  it('follows extends and includes transitively', async () => {
    const graph = await TemplateGraph.load(await templates(site));
    expect(graph.closure('release.njk')).toEqual([
      'base.njk',
      'partials/nav-item.njk',
      'partials/nav.njk',
      'release.njk',
    ]);
  });

  it('changes a fingerprint when a partial three levels down changes, and only for the templates using it', async () => {
    const dir = await templates(site);
    const before = await TemplateGraph.load(dir);
    await writeFile(path.join(dir, 'partials/nav-item.njk'), '<a>changed</a>');
    const after = await TemplateGraph.load(dir, before);
    expect(after.fingerprint('release.njk')).not.toBe(before.fingerprint('release.njk'));
    expect(after.fingerprint('page.njk')).not.toBe(before.fingerprint('page.njk'));
    expect(after.fingerprint('404.njk')).toBe(before.fingerprint('404.njk'));
  });

  it('changes a fingerprint when a missing partial appears', async () => {
    const dir = await templates({ 'a.njk': '{% include "later.njk" ignore missing %}' });
    const before = await TemplateGraph.load(dir);
    await writeFile(path.join(dir, 'later.njk'), 'now here');
    const after = await TemplateGraph.load(dir, before);
    expect(after.fingerprint('a.njk')).not.toBe(before.fingerprint('a.njk'));
  });

  it('makes a template with a computed include depend on every template', async () => {
    const dir = await templates({ 'a.njk': '{% include name %}', 'b.njk': 'b', 'c.njk': 'c' });
    const before = await TemplateGraph.load(dir);
    await writeFile(path.join(dir, 'c.njk'), 'c2');
    const after = await TemplateGraph.load(dir, before);
    expect(after.fingerprint('a.njk')).not.toBe(before.fingerprint('a.njk'));
    expect(after.fingerprint('b.njk')).toBe(before.fingerprint('b.njk'));
    expect(after.reachable(['a.njk'])).toEqual(['a.njk', 'b.njk', 'c.njk']);
  });

  it('survives include cycles', async () => {
    const graph = await TemplateGraph.load(
      await templates({ 'a.njk': '{% include "b.njk" %}', 'b.njk': '{% include "a.njk" %}' }),
    );
    expect(graph.closure('a.njk')).toEqual(['a.njk', 'b.njk']);
    expect(graph.fingerprint('a.njk')).toBe(graph.fingerprint('b.njk'));
  });
});
