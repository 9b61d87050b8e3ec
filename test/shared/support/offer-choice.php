<?php
/**
 * Runs the updater's offer choice (WPRM_Updater_Offer_1_0, its one pure function) over the queries on standard
 * input and prints one JSON list of answers. Each manifest goes through the updater's own parse_manifest first
 * (reached by reflection, as parse-manifests.php does), so the choice sees what a site would.
 *
 * Input: { "slug": S, "queries": [ { "manifest": {...}, "installed": V, "channel": C, "now": UNIX, "wp": V, "php": V,
 *          and either "bucket": N (one answer: the version or null) or "sites": N (the answer for the sites
 *          https://site-0.example … as a string of "1" for offered a higher version and "0" for not, and the count per version) },
 *          or { "buckets": [ SITE_ID, … ] } (no manifest: each site id's bucket, WPRM_Updater_Offer_1_0::bucket) ] }
 *
 * Usage: php offer-choice.php WORDPRESS_DIR UPDATER_FILE < queries.json
 */

list( , $wordpress, $updater ) = $argv;
define( 'ABSPATH', rtrim( $wordpress, '/' ) . '/' );
require ABSPATH . 'wp-includes/plugin.php';
require ABSPATH . 'wp-includes/load.php';
require ABSPATH . 'wp-includes/class-wp-error.php';
require ABSPATH . 'wp-includes/http.php';
require $updater;

$input  = json_decode( stream_get_contents( STDIN ), true );
$class  = new ReflectionClass( 'WPRM_Updater_1_0' );
$parse  = $class->getMethod( 'parse_manifest' );
$parse->setAccessible( true );
$folder = $class->getProperty( 'folder' );
$folder->setAccessible( true );
$url = $class->getProperty( 'manifest_url' );
$url->setAccessible( true );
$instance = $class->newInstanceWithoutConstructor();
$folder->setValue( $instance, $input['slug'] );
$url->setValue( $instance, 'https://updates.example.com/plugins/' . $input['slug'] . '/info.json' );

$answers = array();
foreach ( $input['queries'] as $query ) {
	if ( isset( $query['buckets'] ) ) {
		$answers[] = array_map( array( 'WPRM_Updater_Offer_1_0', 'bucket' ), $query['buckets'] );
		continue;
	}
	$manifest = $parse->invoke( $instance, $query['manifest'] );
	if ( is_wp_error( $manifest ) ) {
		fwrite( STDERR, $manifest->get_error_message() . "\n" );
		exit( 2 );
	}
	$meets = function ( $requires, $requires_php ) use ( $query ) {
		return ( null === $requires || version_compare( $query['wp'], $requires, '>=' ) ) && ( null === $requires_php || version_compare( $query['php'], $requires_php, '>=' ) );
	};
	$choose = function ( $bucket ) use ( $manifest, $query, $meets ) {
		$chosen = WPRM_Updater_Offer_1_0::choose( $manifest, $query['installed'], $query['channel'], $bucket, $query['now'], $meets );
		return null === $chosen ? null : $chosen['version'];
	};
	if ( isset( $query['bucket'] ) ) {
		$answers[] = $choose( $query['bucket'] );
		continue;
	}
	$offered = '';
	$counts  = array();
	for ( $i = 0; $i < $query['sites']; $i++ ) {
		$site     = hash( 'sha256', 'https://site-' . $i . '.example#' . $input['slug'] );
		$version  = $choose( WPRM_Updater_Offer_1_0::bucket( $site ) );
		$key      = null === $version ? 'none' : $version;
		$counts[ $key ] = isset( $counts[ $key ] ) ? $counts[ $key ] + 1 : 1;
		$offered .= null !== $version && version_compare( $version, $query['installed'], '>' ) ? '1' : '0';
	}
	$answers[] = array( 'offered' => $offered, 'counts' => $counts );
}
echo json_encode( $answers, JSON_UNESCAPED_SLASHES ), "\n";
