<?php
/**
 * Runs the updater's own envelope rule (WPRM_Updater_1_0::split_signed, private, reached by reflection) over each
 * case of a corpus and prints one JSON object: file name => { ok, message, keyids }.
 *
 * Usage: php split-envelopes.php WORDPRESS_DIR UPDATER_FILE CORPUS_DIR
 */

list( , $wordpress, $updater, $corpus ) = $argv;
define( 'ABSPATH', rtrim( $wordpress, '/' ) . '/' );
require ABSPATH . 'wp-includes/plugin.php';
require $updater;

$split = ( new ReflectionClass( 'WPRM_Updater_1_0' ) )->getMethod( 'split_signed' );
$split->setAccessible( true );

$results = array();
foreach ( glob( rtrim( $corpus, '/' ) . '/*.json' ) as $file ) {
	$case = json_decode( file_get_contents( $file ), true );
	if ( ! is_array( $case ) || ! isset( $case['text'] ) || ! is_string( $case['text'] ) ) {
		fwrite( STDERR, basename( $file ) . ": not an envelope case\n" );
		exit( 2 );
	}
	$found                        = $split->invoke( null, $case['text'] );
	$results[ basename( $file ) ] = null === $found
		? array( 'ok' => false )
		: array(
			'ok'      => true,
			'message' => $found['message'],
			'keyids'  => array_column( $found['signatures'], 'keyid' ),
		);
}
echo json_encode( $results, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES ), "\n";
