<?php
/**
 * Runs the updater's own manifest parser (WPRM_Updater_1_0::parse_manifest, private, reached by reflection)
 * over each manifest of a corpus and prints one JSON object: file name => { ok, message }.
 *
 * No site is needed: the parser uses only WP_Error, the hooks it fires and wp_parse_url, which are loaded
 * from the WordPress tree itself (Debian's /usr/share/wordpress), not imitated.
 *
 * Usage: php parse-manifests.php WORDPRESS_DIR UPDATER_FILE CORPUS_DIR
 */

list( , $wordpress, $updater, $corpus ) = $argv;
define( 'ABSPATH', rtrim( $wordpress, '/' ) . '/' );
require ABSPATH . 'wp-includes/plugin.php';
require ABSPATH . 'wp-includes/load.php';
require ABSPATH . 'wp-includes/class-wp-error.php';
require ABSPATH . 'wp-includes/http.php';
require $updater;

$class  = new ReflectionClass( 'WPRM_Updater_1_0' );
$parse  = $class->getMethod( 'parse_manifest' );
$parse->setAccessible( true );
$folder = $class->getProperty( 'folder' );
$folder->setAccessible( true );
$url = $class->getProperty( 'manifest_url' );
$url->setAccessible( true );

$results = array();
foreach ( glob( rtrim( $corpus, '/' ) . '/*.json' ) as $file ) {
	$case = json_decode( file_get_contents( $file ), true );
	if ( ! is_array( $case ) || ! array_key_exists( 'manifest', $case ) || ! isset( $case['slug'] ) ) {
		fwrite( STDERR, basename( $file ) . ": not a corpus case\n" );
		exit( 2 );
	}
	$updater_instance = $class->newInstanceWithoutConstructor();
	$folder->setValue( $updater_instance, $case['slug'] );
	$url->setValue( $updater_instance, 'https://updates.example.com/plugins/' . $case['slug'] . '/info.json' );
	$parsed                       = $parse->invoke( $updater_instance, $case['manifest'] );
	$results[ basename( $file ) ] = is_wp_error( $parsed )
		? array( 'ok' => false, 'message' => $parsed->get_error_message() )
		: array( 'ok' => true, 'message' => '' );
}
echo json_encode( $results, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES ), "\n";
