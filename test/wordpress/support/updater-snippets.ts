import { phpString } from './php-literal.js'
import { PLUGIN_FILE, PLUGIN_SLUG } from './releases.js'

/** The updater's cache: one site option per plugin, named after its folder (see the updater's header comment). */
export const CACHE_OPTION = `wprm_updater_${PLUGIN_SLUG}`
/** A signed plugin's trust record; its cache sits in the same option, beside the record. */
export const TRUST_OPTION = `wprm_updater_trust_${PLUGIN_SLUG}`
/** Until when the check that started last is left to finish (a Unix time): other requests use the cache meanwhile. */
export const CLAIM_OPTION = `wprm_updater_claim_${PLUGIN_SLUG}`

/**
 * PHP functions for test snippets, prepended to each one that needs them.
 *
 * Caching between steps: the updater keeps the manifest for an hour (10 minutes when update_ready), which is what
 * sites should do but would hide a release made a second ago. So every "check" here first forgets the updater's
 * cache (as a cold site would be; a signed plugin keeps its trust record) and WordPress's own update data (as "Check
 * again" and every upgrade do), then runs WordPress's real update check.
 */
export const SNIPPET_HELPERS = String.raw`
$GLOBALS['wprm_test_requests'] = array();

/** Every request to the update server this snippet made, in order: url, HTTP status or error code, If-None-Match sent. */
add_action('http_api_debug', function ($response, $context, $class, $args, $url) {
	// Other hosts never get this far (the harness answers for them); skip the site's requests to itself.
	if (0 === strpos($url, home_url('/'))) {
		return;
	}
	$GLOBALS['wprm_test_requests'][] = array(
		'url' => $url,
		'status' => is_wp_error($response) ? $response->get_error_code() : wp_remote_retrieve_response_code($response),
		'ifNoneMatch' => isset($args['headers']['If-None-Match']) ? $args['headers']['If-None-Match'] : null,
	);
}, 10, 5);

/** The option that holds the updater's cache: a signed plugin keeps it in its trust option, beside the record. */
function wprm_test_cache_option() {
	$record = get_site_option(${phpString(TRUST_OPTION)}, null);
	return is_array($record) && isset($record['url']) ? ${phpString(TRUST_OPTION)} : ${phpString(CACHE_OPTION)};
}

/** The trust record alone, out of the option that holds it beside a signed plugin's cache. */
function wprm_test_trust_only($record) {
	return array_intersect_key($record, array_flip(array('manifest_version', 'sha256', 'keys', 'verifier')));
}

/** A cold cache: the manifest, its validators and the schedule forgotten (the last check's claim too); a signed plugin's trust record kept. */
function wprm_test_forget_manifest() {
	delete_site_option(${phpString(CACHE_OPTION)});
	delete_site_option(${phpString(CLAIM_OPTION)});
	$record = get_site_option(${phpString(TRUST_OPTION)}, null);
	if (is_array($record) && isset($record['url'])) {
		update_site_option(${phpString(TRUST_OPTION)}, wprm_test_trust_only($record));
	}
}

/** Makes the cache due, as an hour later: the next check revalidates it. */
function wprm_test_make_due() {
	$state = get_site_option(wprm_test_cache_option());
	$state['next_check'] = time() - 1;
	update_site_option(wprm_test_cache_option(), $state);
	delete_site_option(${phpString(CLAIM_OPTION)});
}

/** The updater's cache as stored (null when there is none). */
function wprm_test_cache() {
	$state = get_site_option(wprm_test_cache_option(), null);
	if (!is_array($state)) {
		return null;
	}
	return array(
		'version' => isset($state['manifest']['version']) ? $state['manifest']['version'] : null,
		'cacheSeconds' => $state['next_check'] - $state['checked_at'],
		'checkedAt' => $state['checked_at'],
		'failures' => $state['failures'],
		'error' => $state['error'],
		'etag' => $state['etag'],
	);
}

/** WordPress's update check, as a site whose updater cache is cold runs it. Returns our stored entries. */
function wprm_test_check_for_updates() {
	wprm_test_forget_manifest();
	return wprm_test_run_update_check();
}

/**
 * WordPress's update check, with the updater's cache as it is. WordPress's own update data is dropped first, as
 * "Check again" and every upgrade do; wordpress.org answers that it knows nothing about our plugin (the harness
 * blocks it otherwise, and core then stops before asking the "Update URI" hosts).
 * Returns our entries in the update data as stored: read raw, so that the updater's read filter cannot add them.
 */
function wprm_test_run_update_check() {
	delete_site_transient('update_plugins');
	$answer_for_wordpress_org = function ($pre, $args, $url) {
		if (false === strpos($url, '//api.wordpress.org/plugins/update-check/')) {
			return $pre;
		}
		$body = wp_json_encode(array('plugins' => array(), 'translations' => array(), 'no_update' => array()));
		return array('headers' => array(), 'body' => $body, 'response' => array('code' => 200, 'message' => 'OK'), 'cookies' => array(), 'filename' => null);
	};
	add_filter('pre_http_request', $answer_for_wordpress_org, 10, 3);
	wp_update_plugins();
	remove_filter('pre_http_request', $answer_for_wordpress_org, 10);
	return wprm_test_stored_entries();
}

/** Our entries in the stored update_plugins data: 'response' (an offer) and 'no_update'. */
function wprm_test_stored_entries() {
	$data = get_site_option('_site_transient_update_plugins');
	$file = ${phpString(PLUGIN_FILE)};
	return array(
		'response' => isset($data->response[$file]) ? (array) $data->response[$file] : null,
		'no_update' => isset($data->no_update[$file]) ? (array) $data->no_update[$file] : null,
	);
}

/** The installed plugin as WordPress sees it now (read from disk, not from the plugins cache). */
function wprm_test_installed() {
	$file = ${phpString(PLUGIN_FILE)};
	$headers = get_file_data(WP_PLUGIN_DIR . '/' . $file, array('Version' => 'Version'));
	return array('version' => $headers['Version'], 'active' => is_plugin_active($file));
}

/** What admin_notices prints for our plugin. */
function wprm_test_admin_notices() {
	ob_start();
	do_action('admin_notices');
	$html = ob_get_clean();
	preg_match_all('~<div class="notice[^"]*wprm-updater-notice"><p>(.*?)</p></div>~s', $html, $matches);
	return array_map('html_entity_decode', $matches[1]);
}

/**
 * Installs our offered update with WordPress's upgrader, as the Updates screen does, and reactivates the plugin
 * afterwards as that screen does (the upgrader deactivates an active plugin outside cron).
 * Returns the upgrader's result, the error the download step gave (if any), and what the skin showed.
 */
function wprm_test_upgrade() {
	$file = ${phpString(PLUGIN_FILE)};
	$was_active = is_plugin_active($file);
	$download_error = null;
	$record = function ($reply) use (&$download_error) {
		if (is_wp_error($reply)) {
			$download_error = array('code' => $reply->get_error_code(), 'message' => $reply->get_error_message());
		}
		return $reply;
	};
	add_filter('upgrader_pre_download', $record, PHP_INT_MAX);
	$skin = new Automatic_Upgrader_Skin();
	$result = (new Plugin_Upgrader($skin))->upgrade($file);
	remove_filter('upgrader_pre_download', $record, PHP_INT_MAX);
	if ($was_active && !is_plugin_active($file)) {
		activate_plugin($file);
	}
	return array(
		'result' => is_wp_error($result) ? $result->get_error_code() : $result,
		'downloadError' => $download_error,
		'messages' => array_values(array_map('html_entity_decode', $skin->get_upgrade_messages())),
	);
}
`
