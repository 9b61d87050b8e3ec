<?php
if ( !class_exists('Parsedown', false) ) {
	require __DIR__ . '/ParsedownModern.php';
}
