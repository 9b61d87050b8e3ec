import { describe, expect, it } from 'vitest'
import {
  detectVersionConstant,
  readConstant,
  readHeader,
  rewriteMainFile,
  rewriteStableTag
} from '../../src-main/core/source/plugin-source.js'
import { mainFileText } from '../fixtures/plugin-folder.js'

describe('readHeader', () => {
  it('reads headers the way WordPress does', () => {
    const text = mainFileText({ version: '1.4.2' })
    expect(readHeader(text, 'Plugin Name')).toBe('Hello WPRM')
    expect(readHeader(text, 'Version')).toBe('1.4.2')
    expect(readHeader(text, 'Requires PHP')).toBe('7.4')
    expect(readHeader(text, 'Requires at least')).toBe('6.0')
    expect(readHeader(text, 'Update URI')).toBeNull()
  })

  it('strips a closing comment on the same line, and accepts # and @ prefixes', () => {
    expect(readHeader('<?php /* Plugin Name: One Line Version: 2 */\n/* Version: 2.0.0 */', 'Version')).toBe('2.0.0')
    expect(readHeader('<?php\n# Version: 3.1.0\n', 'Version')).toBe('3.1.0')
  })

  it('gives a UTF-8 header as the text it is, and a file that is not UTF-8 byte for byte', () => {
    const utf8 = Buffer.from('<?php\n/*\n * Plugin Name: Café Größe — 日本語\n * Version: 1.0.0\n */\n', 'utf8').toString('latin1')
    expect(readHeader(utf8, 'Plugin Name')).toBe('Café Größe — 日本語')
    const windows1252 = Buffer.from('<?php\n/*\n * Plugin Name: Caf\xe9\n */\n', 'latin1').toString('latin1')
    expect(readHeader(windows1252, 'Plugin Name')).toBe('Caf\xe9')
  })

  it('looks at the first 8 KiB only, as WordPress does', () => {
    const late = `<?php\n/* Plugin Name: X */\n${'// padding\n'.repeat(900)}/* Version: 9.9.9 */`
    expect(readHeader(late, 'Version')).toBeNull()
  })
})

describe('rewriteMainFile', () => {
  it('sets the header and the version constant, and nothing else', () => {
    const text = mainFileText({ version: '1.0.0' })
    const out = rewriteMainFile(text, '1.2.0', 'HELLO_WPRM_VERSION')
    expect(readHeader(out.text, 'Version')).toBe('1.2.0')
    expect(readConstant(out.text, 'HELLO_WPRM_VERSION')).toBe('1.2.0')
    // A requirement constant with the same value today is never touched.
    expect(readConstant(out.text, 'HELLO_WPRM_MINIMUM_WP_VERSION')).toBe('1.0.0')
    expect(out.constantFound).toBe(true)
    expect(out.headerChanged).toBe(true)
    // Only the two version strings differ.
    expect(out.text.replace(/1\.2\.0/g, '1.0.0')).toBe(text)
  })

  it('keeps CRLF line endings and the bytes around the value', () => {
    const text = '<?php\r\n/*\r\n * Plugin Name: Crlf\r\n * Version:    0.9.0   \r\n */\r\ndefine( "CRLF_VERSION" , "0.9.0" );\r\n'
    const out = rewriteMainFile(text, '1.0.0', 'CRLF_VERSION')
    expect(out.text).toBe(text.replace(/0\.9\.0/g, '1.0.0'))
  })

  it('rewrites a class-style const too', () => {
    const text = "<?php\n/* Plugin Name: C\n * Version: 1.0.0 */\nconst C_VERSION = '1.0.0';\n"
    expect(rewriteMainFile(text, '1.1.0', 'C_VERSION').text).toContain("const C_VERSION = '1.1.0';")
  })

  it('refuses a file without a Version header', () => {
    expect(() => rewriteMainFile('<?php\n/* Plugin Name: X */\n', '1.0.0', null)).toThrow(/no "Version:" header/)
  })

  it('reports a configured constant that is not there', () => {
    expect(rewriteMainFile(mainFileText(), '2.0.0', 'OTHER_VERSION').constantFound).toBe(false)
  })
})

describe('detectVersionConstant', () => {
  it('finds the constant whose value is the header version, not the requirement that equals it', () => {
    expect(detectVersionConstant(mainFileText({ version: '1.0.0' }), '1.0.0')).toBe('HELLO_WPRM_VERSION')
  })

  it('finds a constant with another name', () => {
    expect(detectVersionConstant("<?php define('IGNY8_BRIDGE_VERSION', '1.2.0');", '1.2.0')).toBe('IGNY8_BRIDGE_VERSION')
    expect(detectVersionConstant('<?php define( \'PLUGIN_VER\', "1.2.0" );', '1.2.0')).toBe('PLUGIN_VER')
  })

  it('does not guess between two equal candidates', () => {
    expect(detectVersionConstant("<?php define('A_VERSION', '1.0.0'); define('B_VERSION', '1.0.0');", '1.0.0')).toBeNull()
    expect(detectVersionConstant("<?php define('A_VERSION', '0.9.0');", '1.0.0')).toBeNull()
  })
})

describe('rewriteStableTag', () => {
  it('sets the Stable tag and leaves the rest', () => {
    const readme = '=== X ===\nRequires at least: 6.0\nStable tag: 1.0.0\nTested up to: 6.4\n'
    expect(rewriteStableTag(readme, '1.3.0')).toBe(readme.replace('Stable tag: 1.0.0', 'Stable tag: 1.3.0'))
    expect(rewriteStableTag('=== X ===\n', '1.3.0')).toBe('=== X ===\n')
  })
})
