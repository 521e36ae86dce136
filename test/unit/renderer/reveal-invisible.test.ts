import { describe, expect, it } from 'vitest';

import { revealInvisible } from '../../../renderer/src/state/format.js';

describe('revealInvisible', () => {
  it('writes out bidi controls, zero-width and control characters, and leaves the rest alone', () => {
    expect(revealInvisible('admin\u202Etxt.exe')).toBe('admin⟨U+202E⟩txt.exe');
    expect(revealInvisible('a\u200Bb\uFEFFc\u2066d\u2069')).toBe('a⟨U+200B⟩b⟨U+FEFF⟩c⟨U+2066⟩d⟨U+2069⟩');
    expect(revealInvisible('bell\u0007 esc\u001B[31m del\u007F c1\u009B')).toBe(
      'bell⟨U+0007⟩ esc⟨U+001B⟩[31m del⟨U+007F⟩ c1⟨U+009B⟩',
    );
    expect(revealInvisible('tab\tand\nnewline stay; <img> & ünïcødé 漢字 عربي too')).toBe(
      'tab\tand\nnewline stay; <img> & ünïcødé 漢字 عربي too',
    );
  });
});
